// Progressive enhancement only: every page works without this script.
// A form that changes state (rollback, undo) is sent once: its button is disabled on submit,
// so a double click cannot post twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  for (const button of form.querySelectorAll("button[type=submit]")) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = "Working…";
  }
});
