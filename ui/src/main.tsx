import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { HashRouter } from 'react-router'
import { ApiError } from './api/client'
import { App } from './app'
import './i18n/index'
import './styles.css'

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A client error will not mend itself by asking again; a network blip or a busy database may.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: true,
    },
  },
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      {/* Hash routes: the page's own paths never meet the API's, whatever API_V1_PREFIX is. */}
      <HashRouter>
        <App />
      </HashRouter>
    </QueryClientProvider>
  </StrictMode>,
)
