/* Survey page: keeps the progress bar current and folds away a section marked "I did not deal
   with them after all". The page works fully without it: the server checks everything again. */
(function () {
  "use strict";

  var form = document.querySelector("[data-survey-form]");
  if (!form) {
    return;
  }
  var sections = Array.prototype.slice.call(form.querySelectorAll(".survey-section[data-provider]"));
  var progress = document.querySelector("[data-progress]");
  var progressText = document.querySelector("[data-progress-text]");
  // "2 of 3" in the page's language: the template gives the translated pattern (no JS catalogue).
  var progressFormat = (progress && progress.getAttribute("data-progress-format")) || "%(done)s of %(total)s";

  function progressWords(done, total) {
    return progressFormat.replace("%(done)s", String(done)).replace("%(total)s", String(total));
  }

  function parts(section) {
    var id = section.getAttribute("data-provider");
    return {
      skip: form.querySelector('input[name="p' + id + '-skip"]'),
      body: section.querySelector(".survey-section-body"),
      prefix: "p" + id + "-"
    };
  }

  function isComplete(section) {
    var p = parts(section);
    if (p.skip && p.skip.checked) {
      return true;
    }
    var rated = false;
    var expected = false;
    section.querySelectorAll("input[type=radio]:checked").forEach(function (radio) {
      if (!radio.value) {
        return;
      }
      if (radio.name === p.prefix + "expectation") {
        expected = true;
      } else {
        rated = true;
      }
    });
    return rated && expected;
  }

  function applySkip(section) {
    var p = parts(section);
    if (!p.skip || !p.body) {
      return;
    }
    var skipped = p.skip.checked;
    p.body.hidden = skipped;
    section.classList.toggle("survey-section-skipped", skipped);
    // Disabled fields are not sent, so a skipped section never carries stray answers; ticking the
    // box off again brings back what was chosen.
    p.body.querySelectorAll("input, textarea").forEach(function (field) {
      field.disabled = skipped;
    });
  }

  function updateProgress() {
    var done = sections.filter(isComplete).length;
    if (progress) {
      progress.value = done;
      progress.textContent = progressWords(done, sections.length);
    }
    if (progressText) {
      progressText.textContent = progressWords(done, sections.length);
    }
    sections.forEach(function (section) {
      section.classList.toggle("survey-section-done", isComplete(section));
    });
  }

  sections.forEach(applySkip);
  updateProgress();

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && /-skip$/.test(target.name || "")) {
      var section = target.closest(".survey-section");
      if (section) {
        applySkip(section);
      }
    }
    updateProgress();
  });

  var errors = document.getElementById("form-errors");
  if (errors) {
    errors.focus();
  }
})();
