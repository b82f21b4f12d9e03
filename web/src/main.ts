/**
 * The web app's entry: reads where the Query API is (config.json beside the page), then shows the
 * view the URL names, and again on every navigation (links, controls, back and forward).
 */
import { QueryApi } from './api';
import { DASHBOARDS, renderDashboard } from './dashboards';
import { h } from './dom';
import { renderQueryBuilder } from './query-builder';
import { installTooltips } from './tooltip';
import { pageSearch, parsePageState, type PageState } from './url-state';
import type { ViewContext } from './view';

interface SiteConfig {
  /** The Query API's origin (and path prefix), without a trailing slash; '' or absent: this page's origin. */
  readonly apiBase?: string;
}

const SITE_TITLE = 'Cradle-to-Career outcomes';
const DEFAULT_DASHBOARD = 'teachers';

async function siteConfig(): Promise<SiteConfig> {
  // Relative, so the app can be served from any folder; absent, the API is on this origin.
  const response = await fetch('config.json', { cache: 'no-cache' });
  return response.ok ? ((await response.json()) as SiteConfig) : {};
}

function start(api: QueryApi): void {
  const main = document.getElementById('main') as HTMLElement;
  let renders = 0;
  let focusedId: string | undefined;

  const render = async (state: PageState): Promise<void> => {
    renders += 1;
    const token = renders;
    // An unknown view opens the first dashboard.
    const dashboard = state.page === 'dashboard' ? DASHBOARDS.find((d) => d.id === state.dashboard) ?? DASHBOARDS[0] : undefined;
    const view = dashboard?.id ?? 'query';
    for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
      if (new URLSearchParams(link.search).get('view') === view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${dashboard?.title ?? 'Query builder'}: ${SITE_TITLE}`;
    main.setAttribute('aria-busy', 'true');
    document.body.dataset.state = 'loading';
    const context: ViewContext = {
      api,
      navigate,
      current: () => token === renders,
      restoreFocus: () => {
        const target = focusedId ? document.getElementById(focusedId) : null;
        if (target && (document.activeElement === document.body || document.activeElement === null)) target.focus();
      },
    };
    try {
      if (state.page === 'query') await renderQueryBuilder(main, state, context);
      else if (dashboard) await renderDashboard(main, dashboard, state, context);
      if (token !== renders) return;
      document.body.dataset.state = 'ready';
      // For measuring: the first of these marks is the first view's time from navigation start.
      performance.mark('c2c-view-ready');
    } catch (error) {
      if (token !== renders) return;
      document.body.dataset.state = 'error';
      main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)));
    } finally {
      if (token === renders) main.removeAttribute('aria-busy');
    }
  };

  function navigate(state: PageState): void {
    // The control in use keeps focus across the redraw; a link's target view starts at its heading.
    focusedId = document.activeElement instanceof HTMLElement && main.contains(document.activeElement) ? document.activeElement.id || undefined : undefined;
    history.pushState(null, '', pageSearch(state));
    void render(state);
  }

  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest<HTMLAnchorElement>('a[data-nav]') : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(parsePageState(link.search, DEFAULT_DASHBOARD));
    main.focus();
  });
  window.addEventListener('popstate', () => {
    focusedId = undefined;
    void render(parsePageState(location.search, DEFAULT_DASHBOARD));
  });
  void render(parsePageState(location.search, DEFAULT_DASHBOARD));
}

void (async () => {
  installTooltips();
  const config = await siteConfig();
  start(new QueryApi((config.apiBase ?? '').replace(/\/+$/, '')));
})();
