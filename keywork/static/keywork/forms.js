// A form sent back with problems: the summary of them takes focus, so a screen reader
// reads it first and a keyboard user starts from its links to each field.
// The session form leads with the outcome: for a missed or cancelled session, only the
// date, the time and the notes are asked for (what is marked data-attended-only hides).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  const outcomes = document.querySelectorAll("input[name=outcome]");
  const show = () => {
    const chosen = document.querySelector("input[name=outcome]:checked");
    const attended = !chosen || chosen.value === "attended";
    document.querySelectorAll("[data-attended-only]").forEach((part) => {
      part.hidden = !attended;
    });
  };
  outcomes.forEach((radio) => radio.addEventListener("change", show));
  show();
});

// A search box that narrows a list of ticks to those whose words match what is typed.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-narrows]").forEach((box) => {
    const list = document.getElementById(box.dataset.narrows);
    box.addEventListener("input", () => {
      const words = box.value.toLowerCase().trim();
      list.querySelectorAll(":scope > div").forEach((choice) => {
        choice.hidden = words !== "" && !choice.textContent.toLowerCase().includes(words);
      });
    });
  });
});
