// One HTTP call to the API, for every page: it answers {ok, status, body}, never throws (a
// network failure is status 0, code `network`); errors carry the API's
// {"error":{"code","message","field"}} body so panels can explain them. It knows no route.
export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, body: { error: { code: 'network', message: 'network' } } };
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: { code: 'invalid_answer', message: text } };
  }
  return { ok: response.ok, status: response.status, body: parsed };
}
