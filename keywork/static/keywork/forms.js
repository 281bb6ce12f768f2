// A form sent back with problems: the summary of them takes focus, so a screen reader
// reads it first and a keyboard user starts from its links to each field.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
