() => {
  // The page's behaviour (ui/serving.py hands this to Gradio as the page's js).
  // Bring a cited source into view when its marker is clicked, even inside the
  // scrolled sources panel (the browser's own jump to #id does this too; this also
  // works when the id is already the current location hash).
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.rag-cite');
    if (!a) return;
    const id = (a.getAttribute('href') || '').slice(1);
    const el = document.getElementById(id);
    if (!el) return;
    ev.preventDefault();
    const box = el.closest('details');
    if (box) box.open = true;
    el.scrollIntoView({behavior: 'smooth', block: 'start'});
    document.querySelectorAll('.rag-src.rag-focus').forEach(e => e.classList.remove('rag-focus'));
    el.classList.add('rag-focus');
    history.replaceState(null, '', '#' + id);
  }, true);
  // An action link (pin, move, remove): its action goes to the hidden box, then the
  // hidden button sends it to the server (ui.brief.BriefUI.act).
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.rag-act');
    if (!a) return;
    ev.preventDefault();
    const box = document.querySelector('#rag-action textarea, #rag-action input');
    const go = document.querySelector('#rag-action-go');
    if (!box || !go) return;
    box.value = (a.getAttribute('href') || '').slice(1) + ' ' + Date.now();
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => go.click(), 0);
  }, true);
  // "Link to this question": the permalink goes to the address bar and the clipboard.
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.rag-link');
    if (!a) return;
    ev.preventDefault();
    const url = new URL(a.getAttribute('href') || '', window.location.href);
    history.replaceState(null, '', url.href);
    if (navigator.clipboard) navigator.clipboard.writeText(url.href).catch(() => {});
    a.textContent = 'Link copied (it is in the address bar too)';
  }, true);
}
