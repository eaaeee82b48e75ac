/**
 * The huikuan console: sign-in, a header with the pages the user's role has, and a
 * hash router (#/dashboard, #/worklist, #/worklist/<customerId>, #/alarms, #/feedback).
 * Everything it shows comes from the API through the SDK's browser build.
 */
import { h, replace } from './dom';
import { initialLocale, locale, setLocale, t, word, type Locale, type MessageKey } from './i18n';
import { currentUser, errorText, pagesFor, resume, signIn, signOut, type PageName } from './session';
import { disposeCharts } from './charts';
import { renderDashboard } from './pages/dashboard';
import { renderWorklist } from './pages/worklist';
import { renderAlarms } from './pages/alarms';
import { renderFeedback } from './pages/feedback';

/** A page draws into its root and may return a cleanup (e.g. closing a live stream). */
export type Page = (root: HTMLElement, args: string[]) => Promise<(() => void) | void>;

const PAGE_VIEWS: Record<PageName, Page> = {
  dashboard: renderDashboard,
  worklist: renderWorklist,
  alarms: renderAlarms,
  feedback: renderFeedback,
};

const app = document.getElementById('app')!;
let cleanup: (() => void) | void;
let renderCount = 0;

function languageSwitch(): HTMLElement {
  const select = h(
    'select',
    {
      id: 'language',
      'aria-label': t('language'),
      onchange: (e: Event) => {
        setLocale((e.target as HTMLSelectElement).value as Locale);
        void render();
      },
    },
    h('option', { value: 'en', selected: locale() === 'en' }, 'English'),
    h('option', { value: 'zh-CN', selected: locale() === 'zh-CN' }, '中文'),
  );
  return select;
}

function loginView(): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    {
      class: 'login card',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        try {
          await signIn(email.value.trim(), password.value);
          password.value = '';
          if (!location.hash) location.hash = `#/${pagesFor(currentUser()!.role)[0] ?? 'feedback'}`;
          await render();
        } catch (err) {
          error.textContent = `${t('signInFailed')}: ${errorText(err)}`;
        }
      },
    },
    h('h1', {}, t('title')),
    h('label', { for: 'email' }, t('email')),
    email,
    h('label', { for: 'password' }, t('password')),
    password,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
    error,
  );
  return h('div', { class: 'login-wrap' }, h('div', { class: 'login-lang' }, languageSwitch()), form);
}

function header(active: PageName): HTMLElement {
  const user = currentUser()!;
  return h(
    'header',
    { class: 'bar' },
    h('span', { class: 'brand' }, t('title')),
    h(
      'nav',
      { 'aria-label': 'pages' },
      ...pagesFor(user.role).map((page) =>
        h('a', { href: `#/${page}`, 'aria-current': page === active ? 'page' : null, 'data-page': page }, t(page as MessageKey)),
      ),
    ),
    h('span', { class: 'who', 'data-role': user.role }, `${user.name} · ${word(user.role)}`),
    languageSwitch(),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: async () => {
          await signOut();
          location.hash = '';
          await render();
        },
      },
      t('signOut'),
    ),
  );
}

async function render(): Promise<void> {
  const mine = ++renderCount;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  disposeCharts(app);
  const user = currentUser();
  if (!user) {
    replace(app, loginView());
    return;
  }
  const pages = pagesFor(user.role);
  const [name, ...args] = location.hash.replace(/^#\/?/, '').split('/');
  const page = (pages as string[]).includes(name) ? (name as PageName) : pages[0];
  const main = h('main', { id: 'main', 'data-page': page ?? 'none' });
  replace(app, header(page), main);
  if (!page) {
    replace(main, h('p', {}, t('forbidden')));
    return;
  }
  main.setAttribute('aria-busy', 'true');
  replace(main, h('p', { class: 'muted' }, t('loading')));
  try {
    const done = await PAGE_VIEWS[page](main, args);
    if (mine !== renderCount) {
      if (typeof done === 'function') done();
      return;
    }
    cleanup = done;
  } catch (e) {
    if (mine === renderCount) replace(main, h('p', { class: 'error', role: 'alert' }, errorText(e)));
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

window.addEventListener('hashchange', () => void render());

async function start(): Promise<void> {
  setLocale(initialLocale());
  await resume();
  await render();
}

void start();
