// Small progressive enhancement only; every page works without it.
// A filter form's <select> submits itself when changed.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.form && el.form.dataset.autosubmit === "yes") {
    el.form.requestSubmit();
  }
});
