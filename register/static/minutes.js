// The minutes' wording: a button that copies the plain text. Without the script (or where the
// browser refuses the clipboard) the text stays selectable in its box, which is the fallback.
const button = document.getElementById('copy-minutes');
const status = document.getElementById('copy-minutes-status');
if (button) {
  const source = document.getElementById(button.dataset.copyTarget);
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      status.textContent = 'Copied. Paste it into the minutes.';
    } catch (error) {
      source.focus();
      source.select();
      status.textContent = 'Your browser did not allow copying: the text is selected, so copy it with Ctrl+C (or Cmd+C).';
    }
  });
}
