/** What a view (a dashboard, the query builder) gets from the page around it. */
import type { QueryApi } from './api';
import type { PageState } from './url-state';

export interface ViewContext {
  readonly api: QueryApi;
  /** Go to another state: a new history entry and URL, then a render of it. */
  navigate(state: PageState): void;
  /** Whether this render is still the page's latest (a slower, older answer is dropped). */
  current(): boolean;
  /** Give focus back to the control the reader was on before the view was redrawn. */
  restoreFocus(): void;
}
