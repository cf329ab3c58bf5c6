// The decision form: provider suggestions as you type (organisation-lookup.js, shared with the
// interest form), the awarded-provider choices kept in step with the providers proposed, and each
// route-dependent section (key criteria, selection criteria, exclusions, scores) shown only for
// the routes that record it.
import './organisation-lookup.js';

const providerInputs = [...document.querySelectorAll('[data-provider-input]')];
const awarded = document.getElementById('awarded_provider');
const regime = document.getElementById('regime_process');
const routeSections = [...document.querySelectorAll('[data-route-section]')];

function refreshAwarded() {
  if (!awarded) return;
  const chosen = awarded.value;
  const names = [...new Set(providerInputs.map((input) => input.value.trim()).filter(Boolean))];
  const options = [['', 'Not decided yet'], ...names.map((name) => [name, name])];
  awarded.replaceChildren(...options.map(([value, text]) => {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = text;
    option.selected = value === chosen;
    return option;
  }));
}

// Each section is asked only by the routes that record it; hidden fields are disabled so nothing
// left in them is sent. With no route chosen yet, every section shows.
function showRouteSections() {
  if (!regime) return;
  routeSections.forEach((section) => {
    const routes = (section.dataset.routes || '').split(/\s+/);
    section.hidden = !!regime.value && !routes.includes(regime.value);
    section.querySelectorAll('input, textarea').forEach((field) => {
      field.disabled = section.hidden;
    });
  });
}

// A score row for each provider box that has a provider in it, named after it.
const scoreRows = [...document.querySelectorAll('[data-score-row]')];

function refreshScoreRows() {
  const section = document.getElementById('scores-section');
  scoreRows.forEach((row) => {
    const box = providerInputs[Number(row.dataset.scoreRow) - 1];
    const named = box ? box.value.trim() : '';
    row.hidden = !named;
    const name = row.querySelector('[data-score-name]');
    if (name) name.textContent = named ? `: ${named}` : '';
    row.querySelectorAll('input, textarea').forEach((field) => {
      field.disabled = !named || (section && section.hidden);
    });
  });
}

providerInputs.forEach((input) => {
  input.addEventListener('input', refreshScoreRows);
  input.addEventListener('change', () => { refreshAwarded(); refreshScoreRows(); });
});
if (regime) {
  regime.addEventListener('change', () => { showRouteSections(); refreshScoreRows(); });
  showRouteSections();
}
refreshScoreRows();
