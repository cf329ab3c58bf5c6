import { initAll } from './nhsuk/nhsuk-frontend-10.6.1.min.js';
initAll();

// A question that only applies after a particular answer (data-reveal-for names the radios,
// data-reveal-value the answer) is shown once that answer is chosen. Without the script every
// question shows, and the server ignores answers to questions that do not apply. A question with
// an error stays in view.
document.querySelectorAll('[data-reveal-for]').forEach((section) => {
  const form = section.closest('form');
  if (!form) return;
  const sync = () => {
    const chosen = form.querySelector(`input[name="${section.dataset.revealFor}"]:checked`);
    const hasError = section.querySelector('.nhsuk-form-group--error');
    section.hidden = !hasError && (!chosen || chosen.value !== section.dataset.revealValue);
  };
  form.addEventListener('change', (event) => {
    if (event.target.name === section.dataset.revealFor) sync();
  });
  sync();
});
