// The case drawer: everything about one case, and every workflow action on it. A stale edit
// (409) is explained, and the drawer shows the case as it now stands. Its referrals and its
// timeline follow the live stream (`onEvent`); the rest shows the case as it was opened or last
// changed here. Every value someone typed is drawn in an isolate of its own (phones, passports
// and references left to right), so none can reorder what is drawn beside it. Times are local to
// the room's time zone; the server's refusals are explained by their code in the page's language.
import { api } from './api.js';
import { h, isolated, isolatedLtr, joined, phoneLinks } from '../../shared/dom.js';
import { explain, lang, t } from './i18n.js';
import { FINAL_REFERRAL, REQUEST_TYPES } from '../../shared/statuses.js';
import { timelineEntry } from './timeline.js';
import { dateTime } from './when.js';

/**
 * Show case `caseId` in `element`; `onChanged(summary)` after a successful change. Returns
 * `{onEvent(event), unmount()}`: `onEvent` takes every live event (it keeps those about this
 * case); after `unmount` (another case opened, the drawer closed, the room redrawn) an answer
 * still on its way draws nothing.
 */
export function openDrawer(element, caseId, { user, onChanged, onClose, onOpen }) {
  const context = { caseId, user, onChanged, onClose, onOpen, referrals: [], partners: [], timeline: null, lastSeq: 0, unmounted: false };
  const ready = load(element, caseId, context);
  return {
    async onEvent(event) {
      if (event.case_id !== caseId) return;
      await ready;
      if (context.unmounted || !context.timeline || event.seq <= context.lastSeq) return;
      context.lastSeq = event.seq;
      context.timeline.append(timelineEntry(event, names(context), context.user.time_zone));
      if (event.kind.startsWith('referral_')) refreshReferrals(context);
    },
    unmount() {
      context.unmounted = true;
    },
  };
}

async function load(element, caseId, context) {
  const [answer, users, matches, family, referrals, partners, crises] = await Promise.all([
    api.case(caseId),
    // Every role reads the staff list: the timeline names who did what.
    api.users(),
    api.matches(caseId),
    api.family(caseId),
    api.referrals(caseId),
    api.partners(),
    api.crises(),
  ]);
  if (context.unmounted) return;
  if (!answer.ok) {
    element.replaceChildren(h('p', { class: 'error', role: 'alert' }, explain(answer)));
    return;
  }
  Object.assign(context, {
    users: users?.ok ? users.body : [],
    matches: matches.ok ? matches.body : [],
    family: family.ok ? family.body.members : [],
    referrals: referrals.ok ? referrals.body : [],
    partners: partners.ok ? partners.body : [],
    crises: crises.ok ? crises.body : [],
  });
  render(element, answer.body, null, context);
}

/** After a decision or a tracing change: the suggestions and the family as they now stand, and
 * the answer's error if there was one. */
async function afterLinkChange(answer, element, detail, context) {
  const [matches, family] = await Promise.all([api.matches(detail.case.case_id), api.family(detail.case.case_id)]);
  if (matches.ok) context.matches = matches.body;
  if (family.ok) context.family = family.body.members;
  const notice = answer.ok ? null : { kind: 'error', text: explain(answer) };
  render(element, detail, notice, context);
}

const TRACING = ['missing', 'located', 'in_contact', 'safe', 'evacuated', 'reunited'];

/** One person of the family view: their cases, their links, and where the search stands. */
function familyItem(member, element, detail, context) {
  const status = h(
    'select',
    {
      name: 'tracing',
      onchange: async (e) => afterLinkChange(await api.setTracing(member.person_id, e.target.value), element, detail, context),
    },
    TRACING.map((s) => h('option', { value: s, selected: s === member.tracing_status }, t(`tracing.${s}`))),
  );
  const links = member.links.map((l) => (l.decision === 'same' ? t('same') : `${t('related')}${l.relation ? ` (${t(`relation.${l.relation}`)})` : ''}`));
  return h(
    'li',
    { dataset: { personId: member.person_id } },
    h('strong', {}, joined([isolated(member.name) ?? '–', member.age != null ? `(${member.age})` : null])),
    ' ',
    status,
    ' ',
    member.cases.map((c) =>
      h('button', { type: 'button', class: 'link', onclick: () => context.onOpen?.(c.case_id) }, isolatedLtr(c.reference), c.role === 'reporter' ? ` ← ${t(`relation.${c.relation ?? 'other'}`)}` : ''),
    ),
    links.length ? h('span', { class: 'links' }, ` · ${links.join(', ')}`) : '',
  );
}

/** One suggestion: who, how sure, why, and the operator's decision. */
function matchItem(m, element, detail, context) {
  const lang = document.documentElement.lang === 'ar' ? 'ar' : 'en';
  const refresh = (answer) => afterLinkChange(answer, element, detail, context);
  const decide = (body) => api.decide(m.suggestion_id, body).then(refresh);
  const relation = h('select', { name: 'relation' }, ['sibling', 'parent', 'child', 'spouse', 'guardian', 'relative'].map((r) => h('option', { value: r }, t(`relation.${r}`))));
  return h(
    'li',
    { class: `match status-${m.status}`, dataset: { suggestionId: m.suggestion_id } },
    h('strong', {}, `${t(m.kind === 'duplicate' ? 'kindDuplicate' : 'kindRelative')} (${m.score.toFixed(2)})`),
    ' ',
    h('button', { type: 'button', class: 'link', onclick: () => context.onOpen?.(m.case_id) }, m.reference || m.name ? joined([isolatedLtr(m.reference), isolated(m.name)]) : t('openCase')),
    h('p', { class: 'reasons' }, m.reasons.map((r) => r.text[lang]).join(' · ')),
    m.status === 'open'
      ? h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', name: 'same', onclick: () => decide({ decision: 'same' }) }, t('same')),
          relation,
          h('button', { type: 'button', name: 'related', onclick: () => decide({ decision: 'related', relation: relation.value }) }, t('related')),
          h('button', { type: 'button', name: 'not-related', onclick: () => decide({ decision: 'not_related' }) }, t('notRelated')),
        )
      : h(
          'div',
          { class: 'actions' },
          h('span', {}, t(`matchStatus.${m.status}`), m.relation ? ` — ${t(`relation.${m.relation}`)}` : ''),
          h('button', { type: 'button', name: 'undo', onclick: () => api.undoDecision(m.suggestion_id).then(refresh) }, t('undo')),
        ),
  );
}

function render(element, detail, notice, context) {
  if (context.unmounted) return; // an answer that came back after the drawer moved on
  const { user, onChanged, onClose } = context;
  const c = detail.case;
  const act = async (action, body) => {
    const answer = await api.act(c.case_id, action, { ...body, version: c.version });
    if (answer.ok) {
      onChanged(answer.body.case);
      const fresh = await api.case(c.case_id);
      render(element, fresh.body, null, context);
    } else if (answer.status === 409) {
      onChanged(answer.body.case);
      const fresh = await api.case(c.case_id);
      render(element, fresh.body, { kind: 'conflict', text: t('conflict') }, context);
    } else {
      render(element, detail, { kind: 'error', text: explain(answer) }, context);
    }
  };
  const form = (onsubmit, ...fields) =>
    h(
      'form',
      {
        onsubmit: (e) => {
          e.preventDefault();
          onsubmit(new FormData(e.target));
        },
      },
      ...fields,
    );
  const time = (iso) => dateTime(iso, user.time_zone);

  // `replaceChildren` would print a `null` child as text: keep only real ones.
  const present = (...children) => children.filter((child) => child != null && child !== false);
  element.replaceChildren(
    ...present(h(
      'div',
      { class: 'drawer-head' },
      h('h2', {}, isolatedLtr(c.reference), ' · ', t(`status.${c.status}`)),
      h('button', { type: 'button', class: 'close', onclick: onClose }, t('close')),
    ),
    notice ? h('p', { class: `notice ${notice.kind}`, role: 'alert' }, notice.text) : null,
    h(
      'p',
      { class: `level-${c.priority.level}` },
      `${t('priority')}: ${t(`level.${c.priority.level}`)} (${c.priority.score}) — `,
      c.priority.reasons.map((r) => r.text[document.documentElement.lang === 'ar' ? 'ar' : 'en']).join('، '),
    ),
    h('p', {}, `${t('sla')}: ${t(`slaState.${c.sla.state}`)}`, c.sla.escalated ? ' ⚑' : ''),
    detail.message ? h('blockquote', { dir: 'auto' }, detail.message) : null,
    h('h3', {}, t('people')),
    h(
      'ul',
      {},
      detail.persons.map((p) =>
        h(
          'li',
          { class: 'person', dataset: { personId: p.person_id } },
          joined([
            isolated(p.name, { class: 'name' }),
            p.age != null ? `(${p.age})` : null,
            phoneLinks(p.phone),
            isolatedLtr(p.passport, { class: 'passport' }),
            p.role === 'reporter' ? `← ${t(`relation.${p.relation ?? 'other'}`)}` : null,
          ]),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      c.assigned_to === user.user_id
        ? h('button', { type: 'button', onclick: () => act('assignment', { user_id: null }) }, t('release'))
        : c.assigned_to == null
          ? h('button', { type: 'button', name: 'assign-me', onclick: () => act('assignment', { user_id: user.user_id }) }, t('assignMe'))
          : null,
      form(
        (data) =>
          act('status', {
            status: data.get('status'),
            reason: data.get('reason') || null,
            duplicate_of: data.get('status') === 'duplicate' ? data.get('duplicate_of') || null : null,
          }),
        h('select', { name: 'status' }, detail.next_statuses.map((s) => h('option', { value: s }, t(`status.${s}`)))),
        h('input', { name: 'reason', placeholder: t('reason') }),
        // The reference shown everywhere (K7QM-2XPD); the server forgives case and dashes.
        h('input', { name: 'duplicate_of', placeholder: t('duplicateOfRef'), 'aria-label': t('duplicateOfRef'), size: 18, dir: 'auto', autocomplete: 'off' }),
        h('button', { type: 'submit', name: 'move' }, t('moveTo')),
      ),
      // Sorting the unplaced (or correcting a placement): the case's crisis, among the open ones.
      context.crises.length
        ? form(
            async (data) => {
              const answer = await api.placeCase(c.case_id, data.get('crisis') || null);
              const fresh = answer.ok ? await api.case(c.case_id) : null;
              if (fresh?.ok) onChanged(fresh.body.case);
              render(element, fresh?.ok ? fresh.body : detail, answer.ok ? null : { kind: 'error', text: explain(answer) }, context);
            },
            h(
              'select',
              { name: 'crisis', 'aria-label': t('crisis') },
              h('option', { value: '' }, t('unplacedCases')),
              context.crises
                .filter((crisis) => crisis.phase !== 'closed' || crisis.crisis_id === c.crisis_id)
                .map((crisis) => h('option', { value: crisis.slug, selected: crisis.crisis_id === c.crisis_id }, crisis.name[document.documentElement.lang === 'ar' ? 'ar' : 'en'])),
            ),
            h('button', { type: 'submit', name: 'place' }, t('placeInCrisis')),
          )
        : null,
      user.role !== 'operator' && context.users.length
        ? form(
            (data) => act('assignment', { user_id: data.get('user_id') || null }),
            h(
              'select',
              { name: 'user_id' },
              h('option', { value: '' }, t('unassigned')),
              // A disabled account takes no new cases; it stays listed while it holds this one.
              context.users
                .filter((u) => !u.disabled || u.user_id === c.assigned_to)
                .map((u) => h('option', { value: u.user_id, selected: u.user_id === c.assigned_to }, u.name)),
            ),
            h('button', { type: 'submit', name: 'reassign' }, t('assign')),
          )
        : null,
      form(
        (data) => act('contacts', { channel: data.get('channel'), outcome: data.get('outcome') }),
        h('select', { name: 'channel' }, ['phone', 'whatsapp', 'sms', 'facebook', 'email', 'in_person'].map((v) => h('option', { value: v }, t(`contactChannel.${v}`)))),
        h('select', { name: 'outcome' }, ['reached', 'no_answer', 'wrong_number', 'message_left'].map((v) => h('option', { value: v }, t(`outcome.${v}`)))),
        h('button', { type: 'submit' }, t('record')),
      ),
      form(
        (data) => act('notes', { text: data.get('text') }),
        h('textarea', { name: 'text', rows: 2, required: true }),
        h('button', { type: 'submit' }, t('addNote')),
      ),
      user.role !== 'operator'
        ? form(
            (data) => act('priority', { level: data.get('level'), reason: data.get('reason') }),
            h('select', { name: 'level' }, ['critical', 'high', 'normal', 'low'].map((l) => h('option', { value: l }, t(`level.${l}`)))),
            h('input', { name: 'reason', placeholder: t('reason'), required: true }),
            h('button', { type: 'submit' }, t('setPriority')),
          )
        : null,
    ),
    ...referralsSection(context),
    h('h3', {}, t('matchesTitle')),
    context.matches.length ? h('ul', { class: 'matches' }, context.matches.map((m) => matchItem(m, element, detail, context))) : h('p', {}, '–'),
    h('h3', {}, t('family')),
    h('ul', { class: 'family' }, context.family.map((member) => familyItem(member, element, detail, context))),
    h('h3', {}, t('trackingLink')),
    h(
      'div',
      { class: 'actions tracking-link' },
      h('button', { type: 'button', name: 'reissue-link', onclick: async () => {
        if (!window.confirm(t('confirmReissue'))) return;
        const answer = await api.reissueLink(c.case_id);
        const text = answer.ok ? `${t('newLink')} ${location.origin}${answer.body.tracking_path}` : explain(answer);
        render(element, detail, { kind: answer.ok ? 'info' : 'error', text }, context);
      } }, t('reissueLink')),
      h('button', { type: 'button', name: 'revoke-link', onclick: async () => {
        if (!window.confirm(t('confirmRevoke'))) return;
        const answer = await api.revokeLink(c.case_id);
        render(element, detail, { kind: answer.ok ? 'info' : 'error', text: answer.ok ? t('linkRevoked') : explain(answer) }, context);
      } }, t('revokeLink')),
    ),
    h('h3', {}, t('reports')),
    h(
      'ul',
      {},
      detail.reports.map((r) =>
        h(
          'li',
          {},
          joined(
            [
              time(r.received_at),
              r.update_kind ? t(`citizenUpdate.${r.update_kind}`) : r.channel,
              isolated(r.place),
              r.reporter_place ? ['(', isolated(r.reporter_place), ')'] : null,
              isolated(r.message),
            ],
            ' — ',
          ),
        ),
      ),
    ),
    h('h3', {}, t('notes')),
    h('ul', {}, detail.notes.map((n) => h('li', {}, h('time', { datetime: n.created_at }, time(n.created_at)), ' ', isolated(n.author), ': ', isolated(n.text)))),
    h('h3', {}, t('contacts')),
    h('ul', {}, detail.contacts.map((x) => h('li', {}, h('time', { datetime: x.created_at }, time(x.created_at)), ' ', isolated(x.author), `: ${t(`contactChannel.${x.channel}`)} — ${t(`outcome.${x.outcome}`)}`))),
    h('h3', {}, t('timeline')),
    timeline(detail, context),
  ));
}

/** The case's log, oldest first; live events about the case are appended to it. */
function timeline(detail, context) {
  context.caseReferences = new Map([[detail.case.case_id, detail.case.reference], ...context.matches.map((m) => [m.case_id, m.reference])]);
  context.persons = new Map(detail.persons.map((p) => [p.person_id, p.name]));
  const entries = detail.events.map((e) => timelineEntry(e, names(context), context.user.time_zone));
  context.timeline = h('ol', { class: 'timeline' }, entries);
  context.lastSeq = Math.max(context.lastSeq, ...detail.events.map((e) => e.seq));
  return context.timeline;
}

/** What the timeline calls people, partners and cases by. */
function names(context) {
  return {
    user: (id) => context.users.find((u) => u.user_id === id)?.name ?? null,
    person: (id) => context.persons?.get(id) ?? null,
    partner: (id) => partnerName(context, id),
    caseReference: (id) => context.caseReferences?.get(id) ?? null,
    crisis: (id) => {
      const crisis = context.crises?.find((c) => c.crisis_id === id);
      return crisis ? crisis.name[document.documentElement.lang === 'ar' ? 'ar' : 'en'] : null;
    },
  };
}

function partnerName(context, partnerId, fallback) {
  const partner = context.partners.find((p) => p.partner_id === partnerId);
  return (lang() === 'ar' && partner?.name_ar) || partner?.name || fallback || partnerId;
}

/** The case's referrals (live) and the form that makes one. */
function referralsSection(context) {
  context.referralList = h('ul', { class: 'referrals' });
  context.referralNotice = h('p', { class: 'notice error', role: 'alert', hidden: true });
  renderReferrals(context);
  const explain = (answer) => {
    context.referralNotice.hidden = answer.ok;
    context.referralNotice.textContent = answer.ok ? '' : explain(answer);
  };
  context.explainReferral = explain;
  const form = context.partners.length
    ? h(
        'form',
        {
          class: 'refer',
          onsubmit: async (e) => {
            e.preventDefault();
            const data = new FormData(e.target);
            const note = data.get('note').trim();
            const answer = await api.refer(context.caseId, {
              partner_id: data.get('partner_id'),
              request_type: data.get('request_type'),
              ...(note ? { note } : {}),
            });
            explain(answer);
            if (answer.ok) {
              e.target.elements.note.value = '';
              refreshReferrals(context);
            }
          },
        },
        h('select', { name: 'partner_id', 'aria-label': t('partner') }, context.partners.map((p) => h('option', { value: p.partner_id }, partnerName(context, p.partner_id)))),
        h('select', { name: 'request_type', 'aria-label': t('requestType') }, REQUEST_TYPES.map((r) => h('option', { value: r }, t(`requestTypes.${r}`)))),
        h('input', { name: 'note', placeholder: t('referNote') }),
        h('button', { type: 'submit', name: 'refer' }, t('refer')),
      )
    : h('p', {}, t('noPartners'));
  return [h('h3', {}, t('referrals')), context.referralNotice, context.referralList, h('h4', {}, t('referTo')), form];
}

function renderReferrals(context) {
  context.referralList.replaceChildren(
    ...context.referrals.map((r) => {
      const unanswered = r.escalated_at && r.status === 'pending';
      return h(
        'li',
        { class: `referral status-${r.status}${unanswered ? ' escalated' : ''}`, dataset: { referralId: r.referral_id } },
        h('strong', {}, isolated(partnerName(context, r.partner_id, r.partner_name))),
        ` · ${t(`requestTypes.${r.request_type}`)} · `,
        h('span', { class: 'status' }, t(`referralStatus.${r.status}`)),
        unanswered ? h('span', { class: 'escalated' }, ` ⚑ ${t('escalated')}`) : '',
        r.note ? h('p', { class: 'note', dir: 'auto' }, r.note) : '',
        h('small', {}, dateTime(r.updated_at, context.user.time_zone)),
        FINAL_REFERRAL.includes(r.status)
          ? ''
          : h('button', { type: 'button', name: 'withdraw-referral', onclick: async () => {
              if (!window.confirm(t('confirmWithdrawReferral'))) return;
              const answer = await api.withdrawReferral(r.referral_id);
              context.explainReferral(answer);
              if (answer.ok) refreshReferrals(context);
            } }, t('withdrawReferral')),
      );
    }),
  );
}

async function refreshReferrals(context) {
  const answer = await api.referrals(context.caseId);
  if (!answer.ok) return;
  context.referrals = answer.body;
  renderReferrals(context);
}
