import { Link } from 'react-router'
import { EmptyState } from '@/components/ui/States'

export function NotFoundRoute() {
  return (
    <EmptyState
      className="h-full"
      title="Page not found"
      description="The page you are looking for does not exist."
      action={
        <Link to="/" className="text-sm font-medium text-brand-600 hover:text-brand-700">
          Back to chat →
        </Link>
      }
    />
  )
}
