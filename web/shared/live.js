// The one live connection: subscribe from the last position seen, reconnect with backoff, and
// resume from that position, so nothing is missed and nothing is seen twice.
//
// The ops room follows /api/v1/live from a snapshot (`since` null); the partner page follows
// /api/v1/partner/live from the position its first load reflects. Both speak the same protocol.
export function connectLive({ path = '/api/v1/live', since = null, onEvent, onSnapshot = () => {}, onState }) {
  let last = since; // the last position applied
  let socket = null;
  let attempt = 0;
  let stopped = false;

  function open() {
    if (stopped) return; // closed while waiting to reconnect
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.onopen = () => {
      attempt = 0;
      socket.send(JSON.stringify({ type: 'subscribe', since: last }));
      onState('live');
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === 'snapshot') {
        last = data.seq;
        onSnapshot(data.seq);
      } else if (data.type === 'event') {
        if (last !== null && data.seq <= last) return; // already applied
        last = data.seq;
        onEvent(data);
      }
    };
    socket.onclose = () => {
      if (stopped) return;
      onState('reconnecting');
      const delay = Math.min(10_000, 250 * 2 ** attempt++);
      setTimeout(open, delay);
    };
  }
  open();
  return {
    position: () => last,
    close() {
      stopped = true;
      socket?.close();
    },
  };
}
