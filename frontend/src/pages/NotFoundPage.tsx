import { Page } from '../components/Page';
import { Link } from '../router/router';

export function NotFoundPage() {
  return (
    <Page title="Page not found" intro={<p>There’s nothing at this address.</p>}>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </Page>
  );
}
