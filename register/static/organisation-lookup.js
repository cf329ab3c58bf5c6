// Suggestions of registered organisations as a person types a name or a number. Without
// JavaScript the box still works: what was typed is matched when the form is saved.
const suggestions = document.getElementById('organisation-suggestions');
const inputs = [...document.querySelectorAll('[data-organisation-input]')];

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
      option.value = org.label;
      return option;
    }));
  } catch {
    // Suggestions are a convenience: the typed name or number is still matched on save.
  }
}

if (suggestions) {
  inputs.forEach((input) => {
    input.addEventListener('input', () => {
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < 2) return;
      timer = setTimeout(() => suggest(query), 200);
    });
  });
}
