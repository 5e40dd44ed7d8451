/* reftorch site: doctest code blocks and the language switcher (no dependencies).
 *
 * 1. A code block that starts with ">>>" is a doctest: its lines are either statements
 *    (">>> " and the "... " lines that continue them) or printed output.  The copy button
 *    copies only the statements, prompts removed, so pasted code runs (Material copies
 *    the text in a [data-copy] attribute when there is one).  A ">>>" button hides the
 *    prompts and the output, as on docs.python.org.
 * 2. The language switcher links to the same page in the other language; on click it
 *    adds the current #anchor.
 */
(function () {
  "use strict";

  var START = /^>>>( |$)/;
  var MORE = /^\.\.\.( |$)/;

  function lineSpans(code) {
    return Array.prototype.filter.call(code.children, function (el) {
      return el.id && el.id.indexOf("__span-") === 0;
    });
  }

  /* Move the first n characters of a line's text into <span class="rt-prompt">. */
  function markPrompt(line, n) {
    var walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (var i = 0; i < nodes.length && n > 0; i++) {
      var node = nodes[i];
      if (!node.length) continue;
      if (node.length > n) node.splitText(n);
      n -= node.length;
      var span = document.createElement("span");
      span.className = "rt-prompt";
      node.parentNode.insertBefore(span, node);
      span.appendChild(node);
    }
  }

  /* Return the statements of a doctest block (prompts removed), or null. */
  function doctestSource(code) {
    var lines = lineSpans(code);
    var texts = lines.map(function (l) { return l.textContent.replace(/\n$/, ""); });
    if (!texts.length || !START.test(texts[0])) return null;
    var statements = [];
    var inStatement = false;
    lines.forEach(function (line, i) {
      var text = texts[i];
      if (START.test(text) || (inStatement && MORE.test(text))) {
        inStatement = true;
        line.classList.add("rt-input");
        markPrompt(line, Math.min(4, text.length));
        statements.push(text.slice(4));
      } else {
        inStatement = false;
        line.classList.add("rt-output");
      }
    });
    return statements.join("\n").replace(/\s+$/, "") + "\n";
  }

  function setUpDoctests() {
    document.querySelectorAll(".md-typeset div.highlight pre > code").forEach(function (code) {
      if (code.hasAttribute("data-copy")) return;
      var source = doctestSource(code);
      if (source === null) return;
      code.setAttribute("data-copy", source);
      var pre = code.parentNode;
      pre.classList.add("rt-doctest");
      var zh = document.documentElement.lang === "zh";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rt-prompt-toggle";
      button.textContent = ">>>";
      button.title = zh ? "隐藏/显示提示符和输出" : "Hide or show the prompts and output";
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        var hidden = pre.classList.toggle("rt-hide-prompts");
        button.setAttribute("aria-pressed", hidden ? "true" : "false");
      });
      pre.appendChild(button);
    });
  }

  /* Go to the same page in the other language, with the current #anchor.  This runs
     before Material's own handler (capture phase) and stops it: Material would look the
     page up in the other language's sitemap.xml, and sends the reader to the home page
     when its lookup of a nested language site (/zh/ under /) fails. */
  function keepAnchorOnLanguageSwitch(event) {
    var link = event.target instanceof Element && event.target.closest("a.md-select__link[hreflang]");
    if (!link) return;
    var target = link.href.split("#")[0] + location.hash;
    link.href = target;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();
    location.assign(target);
  }

  document.addEventListener("click", keepAnchorOnLanguageSwitch, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpDoctests);
  } else {
    setUpDoctests();
  }
})();
