// The decision form: provider suggestions as you type, the awarded-provider choices kept in step
// with the providers proposed, and the key criteria shown only for the processes that assess them.
const suggestions = document.getElementById('provider-suggestions');
const providerInputs = [...document.querySelectorAll('[data-provider-input]')];
const awarded = document.getElementById('awarded_provider');
const regime = document.getElementById('regime_process');
const criteria = document.querySelector('[data-regime-section="psr"]');

const label = (org) => org.label || (org.ods_code ? `${org.name} (${org.ods_code})` : org.name);

let timer;
let latest = 0;

async function suggest(query) {
  const asked = ++latest;
  const url = `${suggestions.dataset.lookupUrl}?q=${encodeURIComponent(query)}`;
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok || asked !== latest) return;
    const organisations = await response.json();
    suggestions.replaceChildren(...organisations.map((org) => {
      const option = document.createElement('option');
      option.value = label(org);
      return option;
    }));
  } catch {
    // Suggestions are a convenience: typing the name or code still works without them.
  }
}

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

// Only the processes that weigh the key criteria ask for them; hidden fields are disabled so
// nothing left in them is sent.
const criteriaProcesses = criteria ? (criteria.dataset.criteriaProcesses || '').split(/\s+/) : [];

function showCriteria() {
  if (!regime || !criteria) return;
  criteria.hidden = !!regime.value && !criteriaProcesses.includes(regime.value);
  criteria.querySelectorAll('input, textarea').forEach((field) => {
    field.disabled = criteria.hidden;
  });
}

if (suggestions) {
  providerInputs.forEach((input) => {
    input.addEventListener('input', () => {
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < 2) return;
      timer = setTimeout(() => suggest(query), 200);
    });
    input.addEventListener('change', refreshAwarded);
  });
}
if (regime) {
  regime.addEventListener('change', showCriteria);
  showCriteria();
}
