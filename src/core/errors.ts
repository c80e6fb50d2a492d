// Every error the API sends is JSON {error:{code, message, field?}} with a fitting status.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new AppError(400, 'validation_failed', message, field);
export const unauthorized = (message = '未登录或登录已过期 (authentication required)') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = '无权执行此操作 (forbidden)') => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
