// qbank self-check: grades answers in the browser, offline. Mirrors qbank.grader.
// Keys are obscured (XOR with the page's salt, then base64), not secret: this page is for practice.
(function () {
  "use strict";

  var SALT = hexBytes(document.body.getAttribute("data-salt") || "");
  var results = {};

  function hexBytes(hex) {
    var out = [];
    for (var i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.substr(i, 2), 16));
    return out;
  }

  function decode(blob) {
    var bin = atob(blob);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i) ^ SALT[i % SALT.length];
    return JSON.parse(new TextDecoder("utf-8").decode(bytes));
  }

  // -- reading answers ----------------------------------------------------------------------

  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  var NUMBER_HINT = "Write a number such as 0.25, .25, 2.5e-1, 25% or 1/4.";

  function plainNumber(text) {
    text = text.replace(/\s+/g, "");
    return NUMBER.test(text) ? parseFloat(text) : null;
  }

  function parseNumber(raw) {
    var text = raw.trim().replace(/[\u2212\u2013\u2012]/g, "-").replace(/\u00a0/g, " ");
    if (!text) return null;
    var percent = text.charAt(text.length - 1) === "%";
    if (percent) text = text.slice(0, -1).trim();
    var value;
    if (text.indexOf("/") >= 0 && !percent) {
      var halves = text.split("/");
      if (halves.length !== 2) return null;
      var a = plainNumber(halves[0]), b = plainNumber(halves[1]);
      if (a === null || b === null || b === 0) return null;
      value = a / b;
    } else {
      value = plainNumber(text);
      if (value === null) return null;
      if (percent) value /= 100;
    }
    return isFinite(value) ? value : null;
  }

  var QUOTES = { "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u2032": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"' };

  function normalise(text, caseSensitive) {
    var folded = text.normalize("NFKC").replace(/[\u2019\u2018\u02bc`\u00b4\u2032\u201b\u201c\u201d\u201e\u2033\u00ab\u00bb]/g,
      function (c) { return QUOTES[c]; }).split(/\s+/).filter(Boolean).join(" ");
    folded = folded.replace(/[.!?]+$/, "").trim() || folded;  // as qbank.grader.text: "teacher forcing." is "teacher forcing"
    return caseSensitive ? folded : folded.toLowerCase();
  }

  function byId(id) { return document.getElementById(id); }

  // Each reader returns {value: ...} or {error: "what to fix"}.
  var READERS = {
    single_choice: function (k, box) {
      var c = box.querySelector('input[name="' + k.pid + '"]:checked');
      return c ? { value: parseInt(c.value, 10) } : { error: "Choose an option first." };
    },
    multiple_response: function (k, box) {
      var cs = box.querySelectorAll('input[name="' + k.pid + '"]:checked');
      if (!cs.length) return { error: "Choose at least one option first." };
      return { value: Array.prototype.map.call(cs, function (c) { return parseInt(c.value, 10); }) };
    },
    true_false: function (k, box) {
      var c = box.querySelector('input[name="' + k.pid + '"]:checked');
      return c ? { value: c.value === "true" } : { error: "Choose True or False first." };
    },
    numeric: function (k) {
      var raw = byId(k.pid + "-answer").value;
      if (!raw.trim()) return { error: "Write a number first. " + NUMBER_HINT };
      var x = parseNumber(raw);
      return x === null ? { error: "Cannot read \u201c" + raw.trim() + "\u201d as a number. " + NUMBER_HINT } : { value: x };
    },
    short_text: function (k) {
      var raw = byId(k.pid + "-answer").value;
      return raw.trim() ? { value: normalise(raw, k.case_sensitive) } : { error: "Write an answer first." };
    },
    ordering: function (k, box) {
      var sel = box.querySelectorAll("select[data-slot]"), order = [], seen = {};
      for (var i = 0; i < sel.length; i++) {
        if (sel[i].value === "") return { error: "Choose a letter for every position (" + (i + 1) + ". is empty)." };
        var v = parseInt(sel[i].value, 10);
        if (seen[v]) return { error: "Use each letter once." };
        seen[v] = true;
        order.push(v);
      }
      return { value: order };
    },
    matching: function (k, box) {
      var sel = box.querySelectorAll("select[data-prompt]"), pairs = [];
      for (var i = 0; i < sel.length; i++) {
        if (sel[i].value === "") return { error: "Match every numbered item (" + (i + 1) + ". has no choice)." };
        pairs.push(parseInt(sel[i].value, 10));
      }
      return { value: pairs };
    },
    open_response: function (k) {
      var raw = byId(k.pid + "-answer").value;
      return raw.trim() ? { value: raw } : { error: "Write your answer first, then reveal the rubric." };
    }
  };

  // -- grading: each returns {fraction, feedback: [html], selfAssessed?} ---------------------

  var SLACK = 1e-12;

  function within(tol, x, key) {
    if (!isFinite(x)) return false;
    if (tol.sigfig) {
      var mag = key !== 0 ? Math.floor(Math.log10(Math.abs(key))) : 0;
      var scale = Math.pow(10, mag - tol.sigfig + 1);
      var r = function (v) { return Math.floor(Math.round((v / scale) * 1e9) / 1e9 + 0.5); };
      return r(x) === r(key);
    }
    var allowed = Math.max(tol.absolute || 0, (tol.relative || 0) * Math.abs(key));
    return Math.abs(x - key) <= allowed + SLACK * Math.max(1, Math.abs(key));
  }

  function longestInOrder(seq) {
    var tails = [];
    seq.forEach(function (x) {
      var lo = 0, hi = tails.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (tails[mid] < x) lo = mid + 1; else hi = mid; }
      tails[lo] = x;
    });
    return tails.length;
  }

  function withMisconception(feedback, misconception) {
    var out = feedback ? [feedback] : [];
    if (misconception) out.push(escapeHtml(misconception));
    return out;
  }

  var GRADERS = {
    single_choice: function (k, pos) {
      var ok = k.key.indexOf(pos) >= 0;
      return { fraction: ok ? 1 : 0, feedback: withMisconception(k.feedback[pos], ok ? null : k.misconceptions[pos]) };
    },
    multiple_response: function (k, chosen) {
      var key = k.key, right = 0, wrong = 0, feedback = [];
      chosen.forEach(function (p) {
        if (key.indexOf(p) >= 0) right++; else wrong++;
        feedback = feedback.concat(withMisconception(k.feedback[p], key.indexOf(p) >= 0 ? null : k.misconceptions[p]));
      });
      var fraction;
      if (k.scoring === "all_or_nothing") fraction = (right === key.length && wrong === 0) ? 1 : 0;
      else if (k.scoring === "partial") fraction = (right + (k.n - (chosen.length + key.length - right))) / k.n;
      else fraction = Math.max(0, (right - wrong) / key.length);
      return { fraction: fraction, feedback: feedback };
    },
    true_false: function (k, value) {
      var ok = value === k.answer_value;
      return { fraction: ok ? 1 : 0, feedback: withMisconception(value ? k.feedback_true : k.feedback_false, ok ? null : k.misconception) };
    },
    numeric: function (k, x) {
      if (within(k.tolerance, x, k.value)) return { fraction: 1, feedback: [] };
      for (var i = 0; i < k.distractors.length; i++) {
        var d = k.distractors[i];
        if (within(k.tolerance, x, d.value)) return { fraction: 0, feedback: withMisconception(d.feedback, d.misconception) };
      }
      return { fraction: 0, feedback: [] };
    },
    short_text: function (k, text) {
      for (var i = 0; i < k.answers.length; i++) if (normalise(k.answers[i], k.case_sensitive) === text) return { fraction: 1, feedback: [] };
      for (var j = 0; j < k.distractors.length; j++) {
        var d = k.distractors[j];
        if (normalise(d.text, k.case_sensitive) === text) return { fraction: 0, feedback: withMisconception(d.feedback, d.misconception) };
      }
      return { fraction: 0, feedback: [] };
    },
    ordering: function (k, order) {
      if (k.scoring === "exact") return { fraction: order.join() === k.order.join() ? 1 : 0, feedback: [] };
      var rank = {};
      k.order.forEach(function (e, i) { rank[e] = i; });
      return { fraction: longestInOrder(order.map(function (e) { return rank[e]; })) / k.order.length, feedback: [] };
    },
    matching: function (k, pairs) {
      var right = 0, texts = [], mids = [];
      pairs.forEach(function (p, i) {
        if (p === k.pairs[i]) { right++; return; }
        // as the grader: each distractor choice matched wrongly, its feedback first, then its misconception
        (k.distractors || []).forEach(function (d) {
          if (d.choice !== p) return;
          if (d.feedback && texts.indexOf(d.feedback) < 0) texts.push(d.feedback);
          if (d.misconception && mids.indexOf(d.misconception) < 0) mids.push(d.misconception);
        });
      });
      var fraction = k.scoring === "all_or_nothing" ? (right === k.pairs.length ? 1 : 0) : right / k.pairs.length;
      return { fraction: fraction, feedback: texts.concat(mids.map(escapeHtml)) };
    },
    open_response: function (k) {
      var rows = k.rubric.map(function (c) {
        return "<li><strong>" + escapeHtml(c.title) + "</strong> (" + escapeHtml(c.share) + "): " + c.description + "</li>";
      }).join("");
      var caps = k.caps.map(function (c) { return "<li>" + escapeHtml(c) + "</li>"; }).join("");
      return { fraction: null, selfAssessed: true, feedback: [
        "<div class=\"rubric\"><strong>Rubric.</strong> Check your answer against each criterion:<ul>" + rows + caps + "</ul></div>",
        "<div class=\"sample\"><strong>A full-credit answer.</strong> " + k.sample + "</div>"
      ] };
    }
  };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(x) { return String(Math.round(x * 1000) / 1000); }

  // -- the Check button -----------------------------------------------------------------------

  function check(form) {
    var payload = decode(form.getAttribute("data-key"));
    var out = form.querySelector(".feedback");
    var graded = [], total = 0, weights = 0, selfAssessed = true;
    for (var i = 0; i < payload.parts.length; i++) {
      var k = payload.parts[i];
      var box = form.querySelector('[data-part="' + k.pid + '"]');
      var read = READERS[k.type](k, box);
      if (read.error) {
        // A format error: say what to fix; nothing is graded or counted.
        out.className = "feedback format-error";
        out.innerHTML = "<p class=\"verdict\">" + escapeHtml((k.label ? "Part (" + k.label + "): " : "") + read.error) + "</p>";
        return;
      }
      var g = GRADERS[k.type](k, read.value);
      graded.push({ key: k, grade: g });
      if (!g.selfAssessed) { selfAssessed = false; total += k.weight * g.fraction; weights += k.weight; }
    }
    var html = [], verdict, cls;
    if (selfAssessed) {
      verdict = "Compare your answer with the rubric and the full-credit answer below.";
      cls = "self";
    } else {
      var fraction = total / weights;
      var points = fraction * payload.points;
      if (fraction >= 1 - 1e-9) { verdict = "Correct."; cls = "correct"; }
      else if (fraction > 0) { verdict = "Partly correct: " + fmt(points) + " of " + fmt(payload.points) + (payload.points === 1 ? " point." : " points."); cls = "partial"; }
      else { verdict = "Not correct."; cls = "wrong"; }
      results[form.parentNode.id] = fraction >= 1 - 1e-9;
    }
    html.push("<p class=\"verdict\">" + verdict + "</p>");
    graded.forEach(function (r) {
      var k = r.key, g = r.grade, lines = g.feedback.slice();
      var partOk = g.fraction !== null && g.fraction >= 1 - 1e-9;
      if (!g.selfAssessed && !partOk && k.answer) lines.push("<p class=\"answer\"><strong>Answer:</strong> " + escapeHtml(k.answer) + "</p>");
      if (k.label) {
        var state = g.selfAssessed ? "self-assessed" : partOk ? "correct" : g.fraction > 0 ? "partly correct" : "not correct";
        html.push("<div class=\"part-result\"><p><strong>Part (" + escapeHtml(k.label) + "):</strong> " + state + "</p>" + lines.join("") + "</div>");
      } else if (lines.length) {
        html.push("<div class=\"part-result\">" + lines.join("") + "</div>");
      }
    });
    if (payload.explanation) html.push("<div class=\"explanation\"><strong>Explanation.</strong> " + payload.explanation + "</div>");
    out.className = "feedback " + cls;
    out.innerHTML = html.join("");
    tally();
  }

  function tally() {
    var ids = Object.keys(results), right = ids.filter(function (id) { return results[id]; }).length;
    byId("tally").textContent = "Checked " + ids.length + " question" + (ids.length === 1 ? "" : "s") + ": " + right + " correct.";
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.sc-item"), function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); check(form); });
    form.addEventListener("reset", function () {
      var out = form.querySelector(".feedback");
      out.className = "feedback";
      out.innerHTML = "";
    });
  });
})();
