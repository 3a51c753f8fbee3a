// HEAD answers as GET does (headers, same sign-in), without the body.
export { default } from './thumbnail.get'
