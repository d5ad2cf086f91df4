export {};
export { readMovieLens, type MovieLensRating } from './movielens.js';
