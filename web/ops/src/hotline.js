// The hotline desk: a call-taker's screen, keyboard first. The operator types the caller's
// number and sees at once every case, earlier call and report of that number and of the
// people in those cases; takes a report while the caller speaks (the server's validation
// shown beside each field, in the operator's language); and ends the call with its outcome,
// logged on the chosen or the new case. The call's start is the moment the desk was opened
// for this caller ("New call" starts another). Keys: Alt+N new call, Alt+L the number,
// Alt+R take a report, Alt+E end the call; in the outcome dialog 1–5 pick, Enter logs, Esc
// goes back.
//
// Owns the desk's state and drawing only: every rule (what a valid phone, report or call is)
// is the server's, and every number shown goes through `phoneLinks`.
import { api } from './api.js';
import { newIdempotencyKey } from '../../shared/idempotency.js';
import { h, isolated, isolatedLtr, joined, phoneLinks } from '../../shared/dom.js';
import { byCode, t } from './i18n.js';
import * as when from './when.js';

const OUTCOMES = ['report_taken', 'update_given', 'information_only', 'dropped', 'wrong_number'];
const RELATIONS = ['self', 'parent', 'child', 'spouse', 'sibling', 'guardian', 'relative', 'friend', 'other'];
const NEEDS = ['medical', 'evacuation', 'food', 'water', 'shelter', 'power', 'documents', 'missing_person', 'other'];
const FLAGS = ['unaccompanied_minors', 'injured', 'elderly', 'pregnant', 'disabled', 'chronic_illness'];
const SEXES = ['female', 'male', 'unknown'];
/** Typing pauses this long before the lookups run. */
const LOOKUP_DELAY_MS = 250;
/** Fewer digits than this find too much to be worth a lookup. */
const MIN_DIGITS = 6;
/** Cases whose people, reports and calls are shown in full (the rest as one line each). */
const DETAILED_CASES = 5;

/** Arabic-Indic and Persian digits as ASCII, as the server reads them. */
function asciiDigits(text) {
  return text.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}


/** Minutes and seconds, `4:07`. */
function duration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A refusal's words in the operator's language, by its code (the server's message is English). */
function refusal(error) {
  return byCode('hotline.errors', error?.code) ?? t('hotline.errors.other');
}

/**
 * Mount the desk in `panel`. `openCase(caseId)` shows a case in the room's drawer. Returns
 * `{focus(), onEvent(event), unmount()}`; `focus` goes back to the number field (when the desk
 * is shown again), `unmount` stops the call's clock.
 */
export function mountHotline(panel, { user, openCase }) {
  // Times as the room reads them: its time zone, day before month, 24-hour.
  const timeOf = (at) => when.clock(at, user.time_zone);
  const dateTimeOf = (at) => when.dateTime(at, user.time_zone);
  const desk = {
    startedAt: new Date(),
    /** The case the call will be logged on: `{case_id, reference, phones}`. */
    chosen: null,
    /** Cases found for the number, with their details when fetched. */
    found: [],
    reportTaken: false,
    lookupTicket: 0,
    timer: null,
  };

  const number = h('input', { name: 'phone', type: 'tel', dir: 'ltr', autocomplete: 'off', 'aria-describedby': 'hotline-lookup-state' });
  const lookupState = h('p', { id: 'hotline-lookup-state', class: 'lookup-state', 'aria-live': 'polite' });
  const clock = h('span', { class: 'call-clock' });
  const chosenLine = h('p', { class: 'chosen' });
  const casesList = h('ul', { class: 'hotline-cases' });
  const callsList = h('ul', { class: 'hotline-calls' });
  const reportArea = h('section', { class: 'hotline-report' });
  const endArea = h('section', { class: 'hotline-end', hidden: true });
  const logged = h('p', { class: 'logged', role: 'status' });

  const newCall = () => {
    desk.startedAt = new Date();
    desk.chosen = null;
    desk.found = [];
    desk.reportTaken = false;
    desk.lookupTicket += 1;
    logged.replaceChildren();
    number.value = '';
    lookupState.textContent = '';
    casesList.replaceChildren();
    callsList.replaceChildren();
    endArea.hidden = true;
    renderReportButton();
    renderChosen();
    tick();
    number.focus();
  };

  function tick() {
    clock.replaceChildren(
      `${t('hotline.callStarted')} ${timeOf(desk.startedAt)} · `,
      h('span', { class: 'elapsed', dir: 'ltr' }, duration(Date.now() - desk.startedAt.getTime())),
    );
  }

  let pending = null;
  number.addEventListener('input', () => {
    logged.replaceChildren(); // the last call's confirmation: the operator is on the next one
    clearTimeout(pending);
    pending = setTimeout(() => lookup(number.value), LOOKUP_DELAY_MS);
  });
  number.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    clearTimeout(pending);
    lookup(number.value);
  });

  async function lookup(raw) {
    const ticket = ++desk.lookupTicket;
    const typed = raw.trim();
    if (asciiDigits(typed).replace(/\D/g, '').length < MIN_DIGITS) {
      lookupState.textContent = typed ? t('hotline.keepTyping') : '';
      casesList.replaceChildren();
      callsList.replaceChildren();
      return;
    }
    lookupState.textContent = t('hotline.searching');
    const [cases, calls] = await Promise.all([api.cases({ q: typed, limit: 20 }), api.calls(typed)]);
    if (ticket !== desk.lookupTicket) return; // the operator typed on: a newer lookup is running
    const summaries = cases.ok ? cases.body.cases : [];
    const details = await Promise.all(summaries.slice(0, DETAILED_CASES).map((c) => api.case(c.case_id)));
    if (ticket !== desk.lookupTicket) return;
    desk.found = summaries.map((summary, i) => ({ summary, detail: details[i]?.ok ? details[i].body : null }));
    const problems = [cases, calls].filter((answer) => !answer.ok).map((answer) => refusal(answer.body?.error));
    const total = cases.ok ? cases.body.total ?? summaries.length : 0;
    lookupState.textContent = problems.length
      ? problems.join(' ')
      : `${t('hotline.casesFound')}: ${total} · ${t('hotline.callsFound')}: ${calls.body.calls.length}`;
    renderCases();
    callsList.replaceChildren(...(calls.ok ? calls.body.calls.map(callItem) : []));
  }

  function renderCases() {
    casesList.replaceChildren(...desk.found.map(({ summary, detail }) => caseItem(summary, detail)));
  }

  /** One case found: enough to tell it apart, and (for the first few) its people, reports and calls. */
  function caseItem(summary, detail) {
    const chosen = desk.chosen?.case_id === summary.case_id;
    const persons = detail?.persons ?? [];
    const lead = summary.lead_name ?? persons.find((p) => p.name)?.name ?? null;
    const callsOnCase = (detail?.events ?? []).filter((e) => e.kind === 'call_logged').reverse();
    return h(
      'li',
      { class: chosen ? 'case chosen' : 'case', dataset: { caseId: summary.case_id, reference: summary.reference } },
      h(
        'button',
        { type: 'button', class: 'choose', 'aria-pressed': String(chosen), onclick: () => choose(summary, detail) },
        joined([isolatedLtr(summary.reference), t(`status.${summary.status}`), isolated(lead), summary.place ? isolated(summary.place) : null], ' · '),
      ),
      ' ',
      h('button', { type: 'button', class: 'link open', onclick: () => openCase(summary.case_id) }, t('openCase')),
      persons.length
        ? h(
            'ul',
            { class: 'people' },
            persons.map((p) =>
              h(
                'li',
                { dataset: { role: p.role } },
                joined([isolated(p.name) ?? '–', p.age != null ? `(${p.age})` : null, t(`hotline.role.${p.role}`), phoneLinks(p.phone)]),
              ),
            ),
          )
        : null,
      detail?.reports?.length
        ? h(
            'ul',
            { class: 'reports' },
            detail.reports.map((r) =>
              h(
                'li',
                { dataset: { reportId: r.report_id } },
                joined([dateTimeOf(r.received_at), t(`hotline.channels.${r.channel}`), r.message ? h('q', {}, isolated(r.message)) : null], ' · '),
              ),
            ),
          )
        : null,
      callsOnCase.length ? h('ul', { class: 'case-calls' }, callsOnCase.map((e) => callItem({ ...e.data, reference: summary.reference }))) : null,
    );
  }

  /** An earlier call: when, which way, what came of it, on which case, by whom. */
  function callItem(c) {
    return h(
      'li',
      { class: 'call', dataset: { callId: c.call_id, outcome: c.outcome } },
      joined(
        [
          dateTimeOf(c.started_at),
          t(`hotline.direction.${c.direction}`),
          phoneLinks(c.phone),
          t(`hotline.outcomes.${c.outcome}`),
          isolatedLtr(c.reference),
          c.operator ? isolated(c.operator) : null,
          c.note ? h('q', {}, isolated(c.note)) : null,
        ],
        ' · ',
      ),
    );
  }

  function choose(summary, detail) {
    const phones = (detail?.persons ?? []).map((p) => p.phone).filter(Boolean);
    desk.chosen = { case_id: summary.case_id, reference: summary.reference, phones };
    renderCases();
    renderChosen();
    // The list was drawn again: keep the focus on this case, so the keys still reach the desk.
    casesList.querySelector(`li[data-case-id="${summary.case_id}"] button.choose`)?.focus();
  }

  function renderChosen() {
    chosenLine.replaceChildren(
      desk.chosen ? [t('hotline.loggedOn'), ' ', isolatedLtr(desk.chosen.reference)] : t('hotline.noCaseYet'),
    );
  }

  // ---- Taking a report while the caller speaks

  function renderReportButton() {
    reportArea.replaceChildren(
      h('button', { type: 'button', class: 'take-report', onclick: () => openReportForm() }, t('hotline.takeReport'), ' ', h('kbd', {}, 'Alt+R')),
    );
  }

  /** A labelled field whose server refusals (by `field` path) are shown beneath it. */
  function field(path, label, control) {
    return h('label', { class: 'field', dataset: { field: path } }, h('span', {}, label), control, h('span', { class: 'field-error', role: 'alert' }));
  }

  const choice = (name, values, words) =>
    h('select', { name }, h('option', { value: '' }, '–'), values.map((v) => h('option', { value: v }, t(`${words}.${v}`))));

  /** A group of checkboxes named `name`, with its refusal slot. */
  function checkboxes(name, legend, options) {
    return h(
      'fieldset',
      { class: name, dataset: { field: name } },
      h('legend', {}, legend),
      options.map(([value, words]) => h('label', {}, h('input', { type: 'checkbox', name, value }), words)),
      h('span', { class: 'field-error', role: 'alert' }),
    );
  }

  function personFields(i) {
    return h(
      'fieldset',
      { class: 'person', dataset: { field: `people[${i}]` } },
      h('legend', {}, `${t('hotline.person')} ${i + 1}`),
      field(`people[${i}].name`, t('personName'), h('input', { name: `people[${i}].name` })),
      field(`people[${i}].age`, t('age'), h('input', { name: `people[${i}].age`, inputmode: 'numeric', dir: 'ltr', size: 4 })),
      field(`people[${i}].sex`, t('hotline.sex'), choice(`people[${i}].sex`, SEXES, 'hotline.sexes')),
      field(`people[${i}].phone`, t('hotline.phone'), h('input', { name: `people[${i}].phone`, type: 'tel', dir: 'ltr' })),
      h('span', { class: 'field-error', role: 'alert' }),
    );
  }

  function openReportForm() {
    const open = reportArea.querySelector('form');
    if (open) return open.querySelector('input, select, textarea').focus();
    const people = h('div', { class: 'people', dataset: { field: 'people' } }, personFields(0), h('span', { class: 'field-error', role: 'alert' }));
    const general = h('p', { class: 'notice error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit' }, t('hotline.saveReport'));
    // One key for this report however often it is sent: after a lost answer (the line to the
    // server dropped) a second press replays the case already filed instead of a twin.
    let idempotencyKey = newIdempotencyKey();
    const form = h(
      'form',
      {
        class: 'report-form',
        onsubmit: async (e) => {
          e.preventDefault();
          submit.disabled = true; // one case per press, however impatient the line
          const answer = await api.takeReport({ channel: 'hotline', report: reportBody(form) }, idempotencyKey);
          submit.disabled = false;
          if (answer.ok) return reportSaved(answer.body);
          // Changed after a filed attempt: the server refuses the key for other content, and
          // the operator, told so, sends it as a report of its own.
          if (answer.body?.error?.code === 'idempotency_key_reused') idempotencyKey = newIdempotencyKey();
          showRefusal(form, general, answer.body?.error);
        },
      },
      h('h3', {}, t('hotline.newReport')),
      h(
        'fieldset',
        { dataset: { field: 'reporter' } },
        h('legend', {}, t('hotline.caller')),
        field('reporter.name', t('personName'), h('input', { name: 'reporter.name' })),
        field('reporter.phone', t('hotline.phone'), h('input', { name: 'reporter.phone', type: 'tel', dir: 'ltr', value: number.value.trim() })),
        field('reporter.relation', t('hotline.relation'), choice('reporter.relation', RELATIONS, 'relation')),
        field('reporter.place', t('hotline.callerPlace'), h('input', { name: 'reporter.place' })),
        h('span', { class: 'field-error', role: 'alert' }),
      ),
      people,
      h('button', { type: 'button', class: 'add-person', onclick: () => people.lastElementChild.before(personFields(people.querySelectorAll('fieldset.person').length)) }, t('hotline.addPerson')),
      field('location.place', t('hotline.where'), h('input', { name: 'location.place' })),
      checkboxes('needs', t('need'), NEEDS.map((n) => [n, t(`needs.${n}`)])),
      checkboxes('flags', t('flag'), FLAGS.map((f) => [f, t(`flags.${f}`)])),
      field('language', t('hotline.callerLanguage'), h('select', { name: 'language' }, h('option', { value: 'ar' }, 'العربية'), h('option', { value: 'en' }, 'English'))),
      field('message', t('hotline.message'), h('textarea', { name: 'message', rows: 3 })),
      general,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: renderReportButton }, t('cancel'))),
    );
    reportArea.replaceChildren(form);
    form.querySelector('[name="reporter.name"]').focus();
  }

  /** The report as the API takes it: blank fields left out. */
  function reportBody(form) {
    const value = (name) => form.querySelector(`[name="${name}"]`)?.value.trim() || undefined;
    const present = (object) => (Object.values(object).some((v) => v !== undefined) ? object : undefined);
    const age = (raw) => (raw === undefined ? undefined : /^\d+$/.test(asciiDigits(raw)) ? Number(asciiDigits(raw)) : raw);
    const people = [...form.querySelectorAll('fieldset.person')]
      .map((_, i) => present({ name: value(`people[${i}].name`), age: age(value(`people[${i}].age`)), sex: value(`people[${i}].sex`), phone: value(`people[${i}].phone`) }))
      .filter(Boolean);
    const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((box) => box.value);
    return {
      language: value('language'),
      reporter: present({ name: value('reporter.name'), phone: value('reporter.phone'), relation: value('reporter.relation'), place: value('reporter.place') }),
      location: present({ place: value('location.place') }),
      people,
      needs: checked('needs'),
      flags: checked('flags'),
      message: value('message'),
    };
  }

  /**
   * Put each refusal (the API's `error.errors`, else `error` alone) beside its field: the field
   * its path names, else the nearest enclosing one (`people[1]` for `people[1].name` when no
   * such input exists), else above the buttons. The first refused field takes the focus.
   */
  function showRefusal(form, general, error) {
    for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
    for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid');
    general.hidden = true;
    general.textContent = '';
    let focused = false;
    for (const each of error?.errors ?? [error]) {
      let path = (each?.field ?? '').replace(/^report\./, '');
      let holder = null;
      while (path && !holder) {
        holder = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
        if (!holder) path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
      }
      if (!holder) {
        general.hidden = false;
        general.textContent = [general.textContent, refusal(each)].filter(Boolean).join(' ');
        continue;
      }
      const slot = holder.querySelector(':scope > .field-error');
      slot.textContent = [slot.textContent, refusal(each)].filter(Boolean).join(' ');
      const control = holder.querySelector('input, select, textarea');
      control?.setAttribute('aria-invalid', 'true');
      if (!focused) control?.focus();
      focused ||= Boolean(control);
    }
  }

  function reportSaved(accepted) {
    desk.reportTaken = true;
    const phones = [reportArea.querySelector('[name="reporter.phone"]')?.value.trim()].filter(Boolean);
    desk.chosen = { case_id: accepted.case_id, reference: accepted.reference, phones };
    reportArea.replaceChildren(
      h('p', { class: 'report-saved', role: 'status' }, t('hotline.reportSaved'), ' ', isolatedLtr(accepted.reference), ' ',
        h('button', { type: 'button', class: 'link open', onclick: () => openCase(accepted.case_id) }, t('openCase'))),
    );
    renderChosen();
    number.focus(); // the form is gone: keys go to the desk again (Alt+E ends the call)
    lookup(number.value);
  }

  // ---- Ending the call

  /** The caller's number in E.164 if it can be known: as typed with its code, or the number of
   * the chosen case (or the report just taken) that ends in the digits typed. */
  function callerNumber() {
    const typed = asciiDigits(number.value.trim());
    if (/^(\+|00)/.test(typed)) return typed;
    const digits = typed.replace(/\D/g, '').replace(/^0/, '');
    const known = (desk.chosen?.phones ?? []).find((p) => digits && p.replace(/\D/g, '').endsWith(digits));
    return known ?? typed;
  }

  function endCall() {
    const endedAt = new Date();
    logged.replaceChildren();
    const outcomes = h(
      'fieldset',
      { class: 'outcomes', dataset: { field: 'outcome' } },
      h('legend', {}, t('hotline.outcome')),
      OUTCOMES.map((o, i) =>
        h('label', {}, h('input', { type: 'radio', name: 'outcome', value: o, checked: o === 'report_taken' && desk.reportTaken }), h('kbd', {}, String(i + 1)), ' ', t(`hotline.outcomes.${o}`)),
      ),
      h('span', { class: 'field-error', role: 'alert' }),
    );
    const general = h('p', { class: 'notice error', role: 'alert', hidden: true });
    const form = h(
      'form',
      {
        class: 'end-form',
        onsubmit: async (e) => {
          e.preventDefault();
          if (!desk.chosen) return showRefusal(form, general, { code: 'no_case' });
          const data = new FormData(form);
          const body = {
            phone: data.get('phone'),
            direction: data.get('direction'),
            outcome: data.get('outcome') ?? undefined,
            started_at: desk.startedAt.toISOString(),
            ended_at: endedAt.toISOString(),
            note: data.get('note')?.trim() || undefined,
          };
          if (!body.outcome) return showRefusal(form, general, { code: 'missing', field: 'outcome' });
          const answer = await api.logCall(desk.chosen.case_id, body);
          if (!answer.ok) return showRefusal(form, general, answer.status === 404 ? { code: 'no_case' } : answer.body?.error);
          const reference = desk.chosen.reference;
          const caseId = desk.chosen.case_id;
          newCall();
          logged.replaceChildren(t('hotline.callLogged'), ' ', isolatedLtr(reference), ' ',
            h('button', { type: 'button', class: 'link open', onclick: () => openCase(caseId) }, t('openCase')));
        },
        onkeydown: (e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            endArea.hidden = true;
            number.focus();
          } else if (e.key === 'Enter' && e.target.type === 'radio') {
            e.preventDefault();
            form.requestSubmit();
          } else if (/^[1-5]$/.test(e.key) && e.target.tagName !== 'TEXTAREA' && e.target.name !== 'phone') {
            e.preventDefault();
            const radio = outcomes.querySelectorAll('input[name=outcome]')[Number(e.key) - 1];
            radio.checked = true;
            radio.focus();
          }
        },
      },
      h('h3', {}, t('hotline.endCall')),
      h(
        'p',
        { class: 'times', dataset: { field: 'ended_at' } },
        `${timeOf(desk.startedAt)} – ${timeOf(endedAt)} · `,
        h('span', { dir: 'ltr' }, duration(endedAt - desk.startedAt)),
        h('span', { class: 'field-error', role: 'alert' }),
      ),
      h('p', { class: 'on-case' }, desk.chosen ? [t('hotline.loggedOn'), ' ', isolatedLtr(desk.chosen.reference)] : t('hotline.noCaseYet')),
      field('phone', t('hotline.phone'), h('input', { name: 'phone', type: 'tel', dir: 'ltr', value: callerNumber() })),
      field('direction', t('hotline.directionLabel'), h('select', { name: 'direction' }, ['incoming', 'outgoing'].map((d) => h('option', { value: d }, t(`hotline.direction.${d}`))))),
      outcomes,
      field('note', t('hotline.note'), h('textarea', { name: 'note', rows: 2 })),
      general,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('hotline.logCall')), h('button', { type: 'button', onclick: () => { endArea.hidden = true; number.focus(); } }, t('cancel'))),
    );
    endArea.replaceChildren(form);
    endArea.hidden = false;
    (outcomes.querySelector('input:checked') ?? outcomes.querySelector('input')).focus();
  }

  panel.addEventListener('keydown', (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const action = { n: newCall, l: () => number.focus(), r: openReportForm, e: endCall }[e.key.toLowerCase()];
    if (!action) return;
    e.preventDefault();
    action();
  });

  panel.replaceChildren(
    h(
      'div',
      { class: 'hotline' },
      h(
        'div',
        { class: 'hotline-head' },
        h('h2', {}, t('hotline.title')),
        clock,
        h('button', { type: 'button', class: 'new-call', onclick: newCall }, t('hotline.newCall'), ' ', h('kbd', {}, 'Alt+N')),
        h('button', { type: 'button', class: 'end-call', onclick: endCall }, t('hotline.endCall'), ' ', h('kbd', {}, 'Alt+E')),
      ),
      logged,
      h('label', { class: 'number' }, t('hotline.number'), ' ', number),
      lookupState,
      chosenLine,
      endArea,
      h(
        'div',
        { class: 'hotline-results' },
        h('section', {}, h('h3', {}, t('hotline.cases')), casesList),
        h('section', {}, h('h3', {}, t('hotline.earlierCalls')), callsList),
      ),
      reportArea,
    ),
  );
  renderReportButton();
  renderChosen();
  tick();
  desk.timer = setInterval(tick, 1000);
  number.focus();
  return {
    focus: () => number.focus(),
    onEvent() {}, // the desk reads what it shows when the operator asks
    unmount() {
      clearInterval(desk.timer);
      clearTimeout(pending);
      desk.lookupTicket += 1; // a lookup on its way draws nothing
    },
  };
}
