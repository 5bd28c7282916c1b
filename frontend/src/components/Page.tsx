import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useHasNavigated } from '../router/router';

const APP_NAME = 'Intentional Social';

interface PageProps {
  /** The heading, and the document's title. */
  title: string;
  /** What the heading shows when it needs markup (a person's name); `title` is then the document's title. */
  heading?: ReactNode;
  /** Short sentence under the heading. */
  intro?: ReactNode;
  children: ReactNode;
  /** Narrow card (forms), a wider one, or a plain column for the social screens (their parts are panels). */
  width?: 'narrow' | 'wide' | 'column';
  /** Beside the heading, e.g. "37 / 100". */
  aside?: ReactNode;
}

/**
 * One screen: sets the document title and, after an in-app navigation, moves
 * focus to the heading so screen-reader and keyboard users start at the top.
 */
export function Page({ title, heading, intro, children, width = 'narrow', aside }: PageProps) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const hasNavigated = useHasNavigated();

  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);

  // Move focus to the heading when the screen (or a step of it, i.e. the title)
  // changes, but not on the very first screen after a full page load.
  const shown = useRef(false);
  useEffect(() => {
    if (shown.current || hasNavigated) headingRef.current?.focus();
    shown.current = true;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the title changes
  }, [title]);

  return (
    <section className={width === 'column' ? 'column' : `card card--${width}`} aria-labelledby={headingId}>
      <div className={aside ? 'page-head page-head--aside' : 'page-head'}>
        <h1 id={headingId} ref={headingRef} tabIndex={-1} className="card__title">
          {heading ?? title}
        </h1>
        {aside}
      </div>
      {intro ? <div className="card__intro">{intro}</div> : null}
      {children}
    </section>
  );
}
