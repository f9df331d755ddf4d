// One CORS policy for every row of the cors suite: one allowed origin (exact match, so `Vary: Origin`), two methods,
// two request headers, max-age 600. The request specs the harness sends live in `lib/requests.mjs`.
export const ORIGIN = 'http://client.example.test'
export const METHODS = ['GET', 'POST']
export const HEADERS = ['content-type', 'authorization']
export const MAX_AGE = 600
