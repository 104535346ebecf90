/** How often live pages ask the server again: often enough to watch load move, rarely enough to cost nothing. */
export const REFRESH_MS = 3000
