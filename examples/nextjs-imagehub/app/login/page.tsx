import type { Metadata } from 'next';
import { LoginForm } from '../../components/login-form.tsx';

export const metadata: Metadata = { title: 'Sign in · Image hub' };

export default function LoginPage() {
  return (
    <article className="narrow">
      <h1>Sign in</h1>
      <LoginForm />
    </article>
  );
}
