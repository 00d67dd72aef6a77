// The language machinery the staff pages share: a page's words in Arabic and English, the
// language chosen (remembered in this browser under the page's own key, Arabic until English is
// chosen), the page's `lang` and `dir` following it, a word by its dotted key, and a refusal's
// words by the API's error code. The words themselves are each page's own; nothing here draws.

/**
 * The machinery over `words` ({ar: {…}, en: {…}}), remembering the language under `storageKey`;
 * `onSwitch(words)` runs after every switch with the chosen language's words (the page's title).
 * The language remembered is switched to at once.
 */
export function languages(words, { storageKey, onSwitch = () => {} }) {
  let current = localStorage.getItem(storageKey) === 'en' ? 'en' : 'ar';
  const lookup = (key) => key.split('.').reduce((node, part) => (node ? node[part] : undefined), words[current]);

  const i18n = {
    lang: () => current,

    /** Switch language (remembered in this browser) and the page's direction with it. */
    setLang(next) {
      current = next === 'en' ? 'en' : 'ar';
      localStorage.setItem(storageKey, current);
      document.documentElement.lang = current;
      document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
      onSwitch(words[current]);
    },

    /** The word for `key` (`status.new`, `signIn`) in the current language, or the key. */
    t: (key) => lookup(key) ?? key,

    /** Whether `key` has a word in the current language. */
    known: (key) => lookup(key) !== undefined,

    /** The words under `group` for an API error `code` (`errors` and `not_found`), or null
     * when the page has none for it: the server's own message is English only. */
    byCode: (group, code) => (code && lookup(`${group}.${code}`) !== undefined ? lookup(`${group}.${code}`) : null),

    /** The current language's words, for those that are functions (`ago(n, unit)`). */
    words: () => words[current],
  };
  i18n.setLang(current);
  return i18n;
}
