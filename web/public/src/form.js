// Enhances the server-rendered report form (/) and its confirmation. Without this script the
// form still works (a plain POST); with it the citizen gets: "use my location", a place picker
// over the offline gazetteer, more person rows, a draft kept on the device as they type, an
// offline queue whose waiting reports are listed above the form (edit, cancel) and that opens
// with no network, every refusal shown at once next to its field (the first focused), and
// copy/share buttons for the tracking link.
//
// The queue itself (storage, retries, the exactly-once promise, the service worker) lives in
// offline.js, its list in queued.js. The server does all validation and sends messages in the
// page's language.
import { newIdempotencyKey } from '../../shared/idempotency.js';
import { readJson, writeJson, isQueued, enqueue, hold, releaseHeld, startSending, keepFormOffline } from './offline.js';
import { queuedList } from './queued.js';

const DRAFT = 'opsroom-draft';
// A draft holds names, passports and phones: on a shared phone it must not wait for the next
// person for long. Queued reports are kept until sent, however long that takes.
const DRAFT_TTL_MS = 24 * 3600 * 1000;

const form = document.getElementById('report');

if (form) enhance(form);
document.querySelectorAll('section.done').forEach(offerLink);

// Copy and share the tracking link (the buttons stay hidden where the browser cannot).
function offerLink(done) {
  const link = done.querySelector('a.track');
  const copy = done.querySelector('button.copy');
  const share = done.querySelector('button.share');
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', () =>
      navigator.clipboard.writeText(link.href).then(() => {
        copy.textContent = copy.dataset.copied;
      }, () => {}),
    );
  }
  if (navigator.share) {
    share.hidden = false;
    share.addEventListener('click', () => navigator.share({ url: link.href }).catch(() => {}));
  }
}

function enhance(form) {
  const text = form.dataset;
  const status = document.getElementById('status');
  const people = document.getElementById('people');
  const say = (message, queued) => {
    status.textContent = message;
    status.className = queued ? 'queued' : '';
  };

  // Person rows: show one empty row, and an "add" button for more.
  const rows = () => [...people.querySelectorAll('fieldset.person')];
  const isBlank = (row) =>
    [...row.querySelectorAll('input')].every((i) => !i.value.trim()) && !row.querySelector('.error');
  rows().forEach((row, i) => {
    if (i > 0 && isBlank(row)) row.hidden = true;
  });
  const addButton = people.querySelector('button.add');
  addButton.hidden = false;
  function addRow() {
    const hidden = rows().find((row) => row.hidden);
    if (hidden) {
      hidden.hidden = false;
      return hidden;
    }
    const all = rows();
    const last = all[all.length - 1];
    const index = rows().length;
    const copy = last.cloneNode(true);
    copy.dataset.row = index;
    copy.querySelector('legend').textContent = last.querySelector('legend').textContent.replace(/\d+$/, index + 1);
    copy.querySelectorAll('.error').forEach((e) => e.remove());
    copy.querySelectorAll('[name]').forEach((field) => {
      field.name = field.name.replace(/^people\[\d+\]/, `people[${index}]`);
      if (field.tagName === 'INPUT') field.value = '';
      field.removeAttribute('aria-invalid');
    });
    copy.querySelector('select[name$=".sex"]').value = 'unknown';
    copy.hidden = false;
    addButton.before(copy);
    return copy;
  }
  addButton.addEventListener('click', () => addRow().querySelector('input').focus());

  // Position: from the browser, or typed as "lat, lon".
  const position = form.elements['location.position'];
  const accuracy = form.elements['location.accuracy_m'];
  const locate = form.querySelector('button.locate');
  const located = document.getElementById('located');
  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener('click', () =>
      navigator.geolocation.getCurrentPosition(
        (p) => {
          position.value = `${p.coords.latitude.toFixed(5)}, ${p.coords.longitude.toFixed(5)}`;
          accuracy.value = Math.round(p.coords.accuracy);
          delete position.dataset.fromPlace;
          // Shown on the first screen, the coordinates in a left-to-right isolate of their own.
          located.querySelector('bdi').textContent = position.value;
          located.hidden = false;
          saveDraft();
        },
        () => position.focus(),
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
      ),
    );
  }
  position.addEventListener('input', () => {
    delete position.dataset.fromPlace;
    accuracy.value = '';
  });

  // Place picker: the towns of the countries the page names (`data-countries`, ISO codes in
  // order, the crises' countries) load on first use, not with the page: the places index
  // (/static/places.json) says where each country's file is.
  const place = form.elements['location.place'];
  let places = null;
  place.addEventListener('focus', loadPlaces, { once: true });
  async function loadPlaces() {
    const wanted = (form.dataset.countries || '').split(',').filter(Boolean);
    try {
      const index = (await (await fetch('/static/places.json')).json()).files;
      const files = wanted.filter((code) => index[code]).map((code) => fetch(index[code]).then((r) => r.json()));
      // concat, not flatMap: the form runs on old phones' browsers (ES2017).
      places = [].concat(...(await Promise.all(files)).map((file) => file.places));
    } catch {
      return; // Offline: typing a place name still works.
    }
    const list = document.getElementById('places');
    const arabic = document.documentElement.lang === 'ar';
    for (const [latin, names] of places) {
      const option = document.createElement('option');
      const ar = names.split('|')[0];
      option.value = ar ? (arabic ? `${ar} — ${latin}` : `${latin} — ${ar}`) : latin;
      list.append(option);
    }
  }
  place.addEventListener('change', () => {
    if (!places) return;
    const typed = place.value.trim().toLowerCase();
    const match = places.find(([latin, names]) =>
      [latin, ...names.split('|')].some((name) => name && typed.split(' — ').includes(name.toLowerCase())),
    );
    // A picked place fills the position, unless the person typed or located one themselves.
    if (match && (!position.value || position.dataset.fromPlace)) {
      position.value = `${match[2]}, ${match[3]}`;
      position.dataset.fromPlace = '1';
      accuracy.value = '';
    }
  });

  // Phone pickers: the page offers the crises' countries and home; every other country loads
  // once the person starts on the form, not with the page (all of them, in every picker, would
  // double the first load). Offline, the countries on the page and a number typed with + work,
  // and the list is asked for at the next start on the form with a network.
  let countriesAsked = false;
  form.addEventListener('focusin', loadCountries);
  async function loadCountries() {
    if (countriesAsked || !navigator.onLine) return;
    countriesAsked = true;
    let countries;
    try {
      const response = await fetch(`/phone-countries?lang=${document.documentElement.lang}`);
      countries = await response.json();
    } catch {
      countriesAsked = false;
      return;
    }
    for (const select of form.querySelectorAll('select[name$="phone_cc"]')) {
      const listed = new Map([...select.options].map((option) => [option.value, option]));
      for (const [code, calling, name] of countries) {
        // As the server writes it: the calling code a left-to-right isolate beside the name.
        const label = `\u2066+${calling}\u2069 ${name}`;
        if (listed.has(code)) listed.get(code).text = label;
        else select.append(new Option(label, code));
      }
    }
  }

  // The draft: every field but the form's own key and the honeypot, saved as it is typed.
  const skip = new Set(['idempotency_key', 'website', 'lang']);
  function saveDraft() {
    const pairs = [...new FormData(form)].filter(([name]) => !skip.has(name));
    writeJson(DRAFT, { at: Date.now(), pairs });
  }
  function restoreDraft() {
    const draft = readJson(DRAFT, null);
    if (!draft?.pairs || !(Date.now() - draft.at < DRAFT_TTL_MS)) {
      writeJson(DRAFT, null);
      return;
    }
    // A page the server rendered with someone's input (a refused post) already shows it.
    if (form.querySelector('.error') || document.querySelector('div.summary')) return;
    fill(draft.pairs);
    say(text.draft);
  }
  function fill(pairs) {
    for (const [name, value] of pairs) {
      const match = /^people\[(\d+)\]/.exec(name);
      if (match) while (rows().length <= Number(match[1])) addRow();
      const fields = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
      for (const field of fields) {
        if (field.type === 'checkbox' || field.type === 'radio') {
          if (field.value === value) field.checked = true;
        } else {
          // A country picked from the whole list, before the list is back: kept, so the number
          // is not read in the first country instead (the list names it when it loads).
          if (field.tagName === 'SELECT' && value && ![...field.options].some((o) => o.value === value)) {
            field.append(new Option(value, value));
          }
          field.value = value;
          const row = field.closest('fieldset.person');
          if (row && value) row.hidden = false;
        }
        if (value && field.closest('details') && !/phone_cc$|\.sex$/.test(name)) field.closest('details').open = true;
      }
    }
  }
  // A page closed while a queued report was back in the form: that report goes out as it was
  // queued, and the half-done edit is dropped rather than becoming a second report.
  if (releaseHeld()) writeJson(DRAFT, null);
  restoreDraft();
  // "Clear the form": the draft goes too, for a phone passed to the next person.
  const clear = form.querySelector('button.clear');
  clear.hidden = false;
  clear.addEventListener('click', () => {
    form.reset();
    writeJson(DRAFT, null);
    say('');
  });

  const keyField = form.elements.idempotency_key;
  // The page may come from the service worker's cache, with a key an earlier report already
  // used: every page load gets a key of its own, as every page the server renders does.
  keyField.value = newIdempotencyKey();
  let draftTimer;
  form.addEventListener('input', () => {
    // Editing after sending starts another report: a queued one keeps its key, this gets its own.
    if (isQueued(keyField.value)) keyField.value = newIdempotencyKey();
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 300);
  });
  form.addEventListener('change', saveDraft);

  // Refusals from the server: every one next to its field, a summary linking to each, and the
  // first (in the page's order) focused and scrolled into view.
  function clearErrors() {
    form.querySelectorAll('.error').forEach((e) => e.remove());
    document.querySelectorAll('div.summary').forEach((e) => e.remove());
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  }
  // The control a refusal belongs to: the field itself, the first box of a group, the name
  // asked first for "nobody named" (`people`), a person's row for the row.
  function controlFor(field) {
    const named = (name) => form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (field === 'people') return named('people[0].name');
    const row = /^people\[(\d+)\]$/.exec(field);
    if (row) return people.querySelector(`fieldset[data-row="${row[1]}"] [name]`);
    return named(field) || form.querySelector(`[name^="${CSS.escape(field)}"]`);
  }
  function showErrors(error) {
    const refusals = error.errors?.length ? error.errors : [error];
    const placed = [];
    for (const refusal of refusals) {
      const control = refusal.field && controlFor(refusal.field);
      if (!control) {
        say(refusal.message);
        continue;
      }
      const note = document.createElement('span');
      note.className = 'error';
      note.textContent = refusal.message;
      control.setAttribute('aria-invalid', 'true');
      // Inside the field's label or group; after a row that holds the field and a button.
      const holder = control.closest('label:not(.check), .phone, fieldset');
      if (holder) holder.append(note);
      else control.closest('.row').after(note);
      control.closest('fieldset.person')?.removeAttribute('hidden');
      const details = control.closest('details');
      if (details) details.open = true;
      placed.push({ control, message: refusal.message });
    }
    if (!placed.length) return;
    // The page's order, not the server's: the first one seen is the first one fixed.
    placed.sort((a, b) => (a.control.compareDocumentPosition(b.control) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    const summary = document.createElement('div');
    summary.className = 'error summary';
    summary.setAttribute('role', 'alert');
    const list = document.createElement('ul');
    for (const { control, message } of placed) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#${control.id}`;
      link.textContent = message;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        control.focus();
      });
      item.append(link);
      list.append(item);
    }
    summary.append(text.check, list);
    form.before(summary);
    say('');
    const first = placed[0].control;
    first.focus({ preventScroll: true });
    first.scrollIntoView({ block: 'center' });
  }

  // The confirmation: the page's own template (the server's words), filled in.
  function confirm(accepted, lang) {
    writeJson(DRAFT, null);
    const link = `/track/${accepted.tracking_token}?lang=${lang}`;
    const done = document.getElementById('done').content.firstElementChild.cloneNode(true);
    done.querySelector('.reference').textContent = accepted.reference;
    const a = done.querySelector('a.track');
    a.href = link;
    a.textContent = location.origin + link;
    offerLink(done);
    document.querySelectorAll('div.summary').forEach((e) => e.remove());
    // Several queued reports may be answered on one visit: each gets its confirmation.
    if (form.isConnected) form.replaceWith(done);
    else document.querySelector('main').append(done);
    done.querySelector('h2').focus();
  }

  // The reports waiting on this phone: a person who reopens the page offline sees them, and may
  // take one back into the form (it keeps its key, so it still makes exactly one case) or cancel it.
  const redraw = queuedList(document.getElementById('queued'), {
    edit(item) {
      hold(item.key);
      form.reset();
      rows().forEach((row, i) => (row.hidden = i > 0));
      clearErrors();
      fill([...new URLSearchParams(item.body)].filter(([name]) => !skip.has(name)));
      keyField.value = item.key;
      say('');
      form.querySelector('input:not([type=hidden]), textarea').focus();
    },
    cancelled: (message) => say(message),
  });

  const flush = startSending({
    waiting: () => {
      say(text.queued, true);
      redraw();
    },
    sending: () => say(text.sending),
    accepted: (answer, item) => {
      confirm(answer, item.lang);
      redraw();
    },
    refused: (error) => {
      // The report is back in the form, so the draft keeps it again.
      saveDraft();
      redraw();
      // A key spent on another report: this one needs its own (the server said why).
      if (error.code === 'idempotency_key_reused') keyField.value = newIdempotencyKey();
      clearErrors();
      showErrors(error);
    },
  });
  keepFormOffline();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    const item = {
      key: keyField.value,
      lang: form.elements.lang.value,
      body: new URLSearchParams(new FormData(form)).toString(),
    };
    // Stored before the first try: closing the page now loses nothing. The draft goes: the
    // report is in the queue, and the form on the next visit is for a new one.
    enqueue(item);
    clearTimeout(draftTimer);
    writeJson(DRAFT, null);
    redraw();
    flush();
  });
}
