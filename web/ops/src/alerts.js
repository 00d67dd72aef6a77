// The alert for unassigned critical cases (the server's count, from `/cases/counts`): a count
// in the tab's title and in the header (a click shows those cases), a short beep the operator
// switches on and off (remembered; off until they switch it on, since a browser plays sound only
// after a gesture), and a browser notification once they allowed it. It raises the alert when
// the count grows, never for cases already known.
import { h } from '../../shared/dom.js';
import { t } from './i18n.js';

const SOUND_KEY = 'opsroom.alertSound';

/** Mount the alert's controls in `element`; `onShow()` when the operator asks to see the cases.
 * Returns `{onEvent(event), unmount(), update(count)}`. */
export function mountAlerts(element, { onShow }) {
  let count = null;
  let audio = null; // created on the operator's click: browsers allow sound after a gesture only
  let soundOn = localStorage.getItem(SOUND_KEY) === 'on';

  const chip = h('button', { type: 'button', class: 'kpi alert-chip', hidden: true, dataset: { kpi: 'unassigned-critical' }, onclick: () => onShow() });
  const sound = h('button', { type: 'button', class: 'alert-sound', onclick: () => setSound(!soundOn) });
  const notify =
    'Notification' in window && Notification.permission === 'default'
      ? h('button', {
          type: 'button',
          class: 'alert-notify',
          onclick: async () => {
            await Notification.requestPermission();
            notify.remove();
          },
        }, t('allowNotifications'))
      : null;
  element.replaceChildren(chip, sound, notify ?? '');

  function setSound(on) {
    soundOn = on;
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    if (on) {
      audio ??= new AudioContext();
      audio.resume();
    }
    drawSound();
  }
  function drawSound() {
    sound.textContent = t(soundOn ? 'soundOn' : 'soundOff');
    sound.setAttribute('aria-pressed', String(soundOn));
    sound.title = t('alertSoundHint');
  }
  drawSound();

  function beep() {
    // A sound remembered as on from an earlier visit plays once the page had a gesture.
    audio ??= new AudioContext();
    if (audio.state !== 'running') return;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }

  return {
    onEvent() {}, // the count comes from the room's counts question (`update`), not the stream
    unmount() {
      audio?.close();
    },
    /** The server's count of unassigned critical cases now. */
    update(next) {
      const grew = count != null && next > count;
      count = next;
      chip.hidden = next === 0;
      chip.textContent = `${t('unassignedCritical')}: ${next}`;
      document.title = next > 0 ? `(${next}) ${t('title')}` : t('title');
      if (!grew) return;
      if (soundOn) beep();
      if ('Notification' in window && Notification.permission === 'granted') {
        new Notification(t('title'), { body: `${t('unassignedCritical')}: ${next}`, tag: 'opsroom-unassigned-critical' });
      }
    },
  };
}
