// A case's log in words: each event as a sentence in the operator's language ("Amal assigned
// the case to Karim", "status: New → Triaged"), at its local time in the room's time zone.
// Never a raw event code: an event this page does not know reads as "another change". Every
// value someone typed, and every name, is an isolate of its own.
import { h, isolated, isolatedLtr, joined, phoneLinks } from '../../shared/dom.js';
import { phrase, t } from './i18n.js';
import { clock, dateTime, duration } from './when.js';

/**
 * One entry of the timeline. `names` turns ids into what people know them by: `user(id)`,
 * `person(id)`, `partner(id)`, `caseReference(caseId)` (each may answer nothing).
 */
export function timelineEntry(event, names, zone) {
  const d = event.data ?? {};
  const who = (id) => isolated(names.user(id)) ?? t('eventWords.someone');
  const word = (group, value) => (value == null ? '' : t(`${group}.${value}`));
  const status = (s) => h('strong', {}, word('status', s));
  const level = (l) => word('level', l);
  const ref = (caseId, reference) => isolatedLtr(reference ?? names.caseReference(caseId)) ?? t('eventWords.anotherCase');
  const person = (id) => isolated(names.person(id)) ?? '–';
  const say = (key, parts) => phrase(`eventWords.${key}`, parts);
  const quote = (text) => isolated(text, { class: 'quote' });
  let what;
  let more = [];
  switch (event.kind) {
    case 'case_reported':
      what = d.taken_by ? say('case_reported_by', { by: who(d.taken_by), channel: word('viaChannel', d.channel) }) : say('case_reported', { channel: word('viaChannel', d.channel) });
      break;
    case 'status_changed':
      what = say('status_changed', { by: who(d.by), from: status(d.from), to: status(d.to) });
      if (d.duplicate_of) more.push(say('duplicate_of', { reference: ref(d.duplicate_of, d.duplicate_of_reference) }));
      if (d.reason) more.push(say('reason', { reason: isolated(d.reason) }));
      break;
    case 'case_assigned':
      if (d.to == null) what = d.from === d.by ? say('released', { by: who(d.by) }) : say('unassigned', { by: who(d.by), from: who(d.from) });
      else what = d.to === d.by ? say('assigned_self', { by: who(d.by) }) : say('assigned_to', { by: who(d.by), to: who(d.to) });
      break;
    case 'note_added':
      what = say('note_added', { by: who(d.by) });
      more.push(quote(d.text));
      break;
    case 'contact_recorded':
      what = say('contact_recorded', { by: who(d.by), channel: word('contactChannel', d.channel), outcome: word('outcome', d.outcome) });
      if (d.first_contact_after_ms != null) more.push(say('first_contact', { wait: duration(d.first_contact_after_ms) }));
      more.push(quote(d.note));
      break;
    case 'priority_overridden':
      what = say('priority_overridden', { by: who(d.by), from: level(d.from), to: h('strong', {}, level(d.to)) });
      more.push(say('reason', { reason: isolated(d.reason) }));
      break;
    case 'sla_breached':
      what = say('sla_breached', { level: level(d.priority) });
      if (d.raised_to) more.push(say('raised_to', { level: level(d.raised_to) }));
      break;
    case 'citizen_updated':
      what = say('citizen_updated', { update: word('citizenUpdate', d.update) });
      more.push(quote(d.message));
      break;
    case 'tracking_link_revoked':
    case 'tracking_link_reissued':
      what = say(event.kind, { by: who(d.by) });
      break;
    case 'match_suggested':
      what = say('match_suggested', { reference: ref(d.other_case_id) });
      break;
    case 'match_decided': {
      const other = ref(d.case_id === event.case_id ? d.other_case_id : d.case_id);
      what = d.decision
        ? say('match_decided', { by: who(d.by), reference: other, decision: word('matchStatus', d.decision) })
        : say('match_undone', { by: who(d.by), reference: other });
      break;
    }
    case 'tracing_status_changed':
      what = say('tracing_status_changed', { by: who(d.by), person: person(d.person_id), from: word('tracing', d.from), to: word('tracing', d.to) });
      break;
    case 'referral_made':
      what = say('referral_made', { partner: isolated(names.partner(d.partner_id)), request: word('requestTypes', d.request_type) });
      more.push(quote(d.note));
      break;
    case 'referral_updated':
      what = say('referral_updated', {
        partner: isolated(names.partner(d.partner_id)),
        from: word('referralStatus', d.from),
        to: word('referralStatus', d.to),
        by: d.by?.type === 'partner' ? t('byPartner') : t('byOperator'),
      });
      more.push(quote(d.text));
      break;
    case 'referral_escalated':
      what = say('referral_escalated', { partner: isolated(names.partner(d.partner_id)) });
      break;
    case 'danger_zone_flagged':
      what = say('danger_zone_flagged');
      if (d.raised_to) more.push(say('raised_to', { level: level(d.raised_to) }));
      break;
    case 'passenger_changed':
      what = say('passenger_changed', { person: person(d.person_id), from: word('passengerStatus', d.from), to: word('passengerStatus', d.to) });
      break;
    case 'call_logged': {
      // Logged by the hotline desk: a call on this case, its direction and what came of it.
      const direction = d.direction === 'outgoing' ? t('eventWords.call_out') : t('eventWords.call_in');
      const outcome = d.outcome && t(`callOutcome.${d.outcome}`) !== `callOutcome.${d.outcome}` ? t(`callOutcome.${d.outcome}`) : '';
      what = say('call_logged', { by: who(d.by), direction, phone: phoneLinks(d.phone), outcome });
      if (d.started_at) more.push(joined([dateTime(d.started_at, zone), d.ended_at ? `– ${clock(d.ended_at, zone)}` : null]));
      more.push(quote(d.note));
      break;
    }
    case 'case_placed':
      // An operator sorting the unplaced cases, or correcting where a report was placed.
      what = d.crisis_id
        ? say('case_placed', { by: who(d.by), crisis: isolated(names.crisis?.(d.crisis_id)) ?? t('eventWords.a_crisis') })
        : say('case_unplaced', { by: who(d.by) });
      break;
    default:
      what = [t('eventWords.other')];
  }
  more = more.filter((part) => part != null && part !== '');
  return h(
    'li',
    { dataset: { kind: event.kind, seq: event.seq } },
    h('time', { datetime: event.at }, dateTime(event.at, zone)),
    ' ',
    h('span', { class: 'what' }, what),
    more.length ? h('span', { class: 'more' }, ' — ', joined(more, ' · ')) : null,
  );
}
