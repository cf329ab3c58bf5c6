// Suggestions of registered organisations as a name or a number is typed, for every box marked
// data-organisation-lookup="<lookup address>" (the interest form's organisation, the decision
// form's providers). The suggestions are a list under the box, in the ARIA combobox pattern:
// the Down and Up arrow keys move through them, Enter chooses one (without sending the form),
// Escape closes the list, and a click or tap chooses one too. Without JavaScript the box still
// works: what was typed is matched when the form is saved.

const DELAY_MS = 200;

function attachLookup(input, lookupUrl) {
  const list = document.createElement('ul');
  list.id = `${input.id}-suggestions`;
  list.className = 'app-suggestions';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Suggestions');
  list.hidden = true;
  const status = document.createElement('div');
  status.className = 'nhsuk-u-visually-hidden';
  status.setAttribute('role', 'status');
  input.after(list, status);

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  let timer;
  let latest = 0;
  let active = -1;

  const options = () => [...list.querySelectorAll('[role="option"]')];

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => {
      const on = i === active;
      option.setAttribute('aria-selected', on ? 'true' : 'false');
      option.classList.toggle('app-suggestions__option--active', on);
    });
    input.setAttribute('aria-activedescendant', all[active].id);
    all[active].scrollIntoView({ block: 'nearest' });
  }

  function choose(option) {
    input.value = option.dataset.value;
    close();
    // Whatever else listens to the box (the awarded provider's choices, the score rows) hears
    // the new value as if it had been typed.
    input.dispatchEvent(new Event('change', { bubbles: true }));
    input.dispatchEvent(new CustomEvent('organisation-chosen', { bubbles: true }));
  }

  function show(labels) {
    list.replaceChildren(...labels.map((text, i) => {
      const option = document.createElement('li');
      option.id = `${list.id}-${i}`;
      option.className = 'app-suggestions__option';
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.dataset.value = text;
      option.textContent = text;
      // Chosen on mousedown, before the box loses focus and the list closes.
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        choose(option);
      });
      return option;
    }));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    list.hidden = labels.length === 0;
    input.setAttribute('aria-expanded', labels.length ? 'true' : 'false');
    status.textContent = labels.length
      ? `${labels.length} suggestion${labels.length === 1 ? '' : 's'}: use the up and down arrow keys, then Enter to choose`
      : 'No suggestions';
  }

  async function suggest(query) {
    const asked = ++latest;
    const url = `${lookupUrl}?q=${encodeURIComponent(query)}`;
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' } });
      if (!response.ok || asked !== latest) return;
      const organisations = await response.json();
      if (asked !== latest || document.activeElement !== input) return;
      show(organisations.map((org) => org.label || org.name));
    } catch {
      // Suggestions are a convenience: the typed name or number is still matched on save.
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2) {
      latest += 1;
      close();
      return;
    }
    timer = setTimeout(() => suggest(query), DELAY_MS);
  });

  input.addEventListener('keydown', (event) => {
    const open = !list.hidden;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!options().length) return;
      event.preventDefault();
      if (!open) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      highlight(active === -1 && step === -1 ? -1 : active + step);
    } else if (event.key === 'Enter' && open && active >= 0) {
      event.preventDefault();
      choose(options()[active]);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener('blur', close);
}

document.querySelectorAll('[data-organisation-lookup]').forEach((input) => {
  attachLookup(input, input.dataset.organisationLookup);
});
