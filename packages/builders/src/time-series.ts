// Entry point for discovery: `time_series` and `public/time_series` (never runnable; see the builder).
export { timeSeriesBuilder as default } from './time-series/time-series.js';
