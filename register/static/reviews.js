// The review page: when a ruling or a name match changes, ask the server for the quorum, the chair
// and the statement being signed, and show them. The page works without this; the server's count
// is the one that decides.
const form = document.getElementById('review-form');

function list(items) {
  const ul = document.createElement('ul');
  ul.className = 'nhsuk-list nhsuk-list--bullet';
  ul.replaceChildren(...items.map((text) => {
    const li = document.createElement('li');
    li.textContent = text;
    return li;
  }));
  return ul;
}

function tag(quorate) {
  const strong = document.createElement('strong');
  strong.className = `nhsuk-tag nhsuk-tag--${quorate ? 'green' : 'red'}`;
  strong.textContent = quorate ? 'Quorate' : 'Inquorate';
  return strong;
}

let asked = 0;

async function refresh() {
  const mine = ++asked;
  const body = new FormData(form);
  body.delete('password');
  try {
    const response = await fetch(form.dataset.quorumUrl, {
      method: 'POST', body, headers: { Accept: 'application/json' },
    });
    if (!response.ok || mine !== asked) return;
    const result = await response.json();
    const box = document.getElementById('quorum');
    box.querySelector('[data-quorum-summary]').replaceChildren(tag(result.quorate));
    box.querySelector('[data-quorum-arithmetic]').replaceChildren(
      ...list(result.arithmetic).children,
    );
    const shortfall = box.querySelector('[data-quorum-shortfall]');
    if (result.quorate) {
      shortfall.replaceChildren();
    } else {
      const heading = document.createElement('p');
      heading.textContent = 'Short of quorum: save the rulings to choose how the decision will be taken.';
      shortfall.replaceChildren(heading, list(result.shortfall));
    }
    box.querySelector('[data-quorum-presiding]').textContent = `${result.presiding}.`;
    const statement = document.getElementById('statement');
    if (statement) statement.textContent = result.statement;
    const digest = form.querySelector('input[name="statement_digest"]');
    if (digest) digest.value = result.digest;
  } catch {
    // Without the live count the page still works: the server counts again on saving.
  }
}

if (form && form.dataset.quorumUrl) {
  form.addEventListener('change', (event) => {
    const name = event.target.name || '';
    if (name.startsWith('ruling_') || name.startsWith('match_') || name.startsWith('exception')) {
      refresh();
    }
  });
}

// Show only the details of the escalation chosen (all of them show without the script).
const details = [...document.querySelectorAll('[data-escalation-detail]')];

function showChosenEscalation() {
  const chosen = form.querySelector('input[name="escalation"]:checked');
  details.forEach((section) => {
    const hasError = section.querySelector('.nhsuk-form-group--error');
    section.hidden = !hasError && (!chosen || section.dataset.escalationDetail !== chosen.value);
  });
}

if (form && details.length) {
  form.addEventListener('change', (event) => {
    if (event.target.name === 'escalation') showChosenEscalation();
  });
  showChosenEscalation();
}
