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
