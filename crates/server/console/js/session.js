// The signed-in credentials, kept in sessionStorage: they last as long as the browser tab and
// are never sent anywhere but into signatures.

const KEY = "trailstack.console.credentials";

/** The credentials, or null when signed out. */
export function credentials() {
  try {
    const c = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return c && c.accessKeyId && c.secretAccessKey && c.region ? c : null;
  } catch {
    return null;
  }
}

export function signIn(accessKeyId, secretAccessKey, region) {
  sessionStorage.setItem(KEY, JSON.stringify({ accessKeyId, secretAccessKey, region }));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}
