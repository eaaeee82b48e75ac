/**
 * Files the API hands out over plain GET (an import run's refused rows, a statement, the
 * aging report as a spreadsheet): an area lists its routes (AreaRuntime.downloads) and
 * the HTTP layer serves them all alike, with the bearer token of /graphql, the caller's
 * context and the same error codes mapped to HTTP statuses.
 */
import type { Context } from '../context';
import { badInput, CoreErrorReason } from './errors';
import { checkLocalDate, type LocalDate } from './local-date';

/** A file a download route answers. */
export interface DownloadFile {
  contentType: string;
  filename: string;
  body: string | Buffer;
}

/** The request as a download route reads it: path parameters and checked query parameters. */
export interface DownloadRequest {
  params: Readonly<Record<string, string>>;
  /** A query parameter as text; undefined when absent or empty; given twice: BAD_USER_INPUT. */
  text(name: string): string | undefined;
  /** A LocalDate query parameter (YYYY-MM-DD), checked as the GraphQL scalar checks it. */
  date(name: string): LocalDate | undefined;
  /** A boolean query parameter: `true` or `false`. */
  flag(name: string): boolean | undefined;
}

export interface DownloadRoute {
  /** An express path, e.g. `/imports/:id/errors.csv`. */
  path: string;
  /** Answers the file for a signed-in caller (the route answers 401 to anyone else). */
  answer(context: Context, request: DownloadRequest): Promise<DownloadFile>;
}

/** Reads path and query parameters of one request (`query` as express parses it). */
export function downloadRequest(params: Record<string, string>, query: Record<string, unknown>): DownloadRequest {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw badInput(name, `${name} must be given once`, CoreErrorReason.INVALID_FORMAT);
    return value;
  };
  return {
    params,
    text,
    date(name) {
      const value = text(name);
      if (value === undefined) return undefined;
      const problem = checkLocalDate(value);
      if (problem) throw badInput(name, `${name} is not a date YYYY-MM-DD the API accepts`, CoreErrorReason[problem]);
      return value;
    },
    flag(name) {
      const value = text(name);
      if (value === undefined) return undefined;
      if (value !== 'true' && value !== 'false') throw badInput(name, `${name} must be true or false`, CoreErrorReason.INVALID_FORMAT);
      return value === 'true';
    },
  };
}
