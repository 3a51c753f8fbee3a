import { z } from 'zod'
import { LIMITS } from '../limits'

export const MIN_PASSWORD_LENGTH = LIMITS.minPasswordLength

const newPasswordSchema = z.string().min(MIN_PASSWORD_LENGTH, `Passwords have at least ${MIN_PASSWORD_LENGTH} characters.`).max(200)

export const signInSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email.').max(320),
  password: z.string().min(1, 'Enter your password.').max(200),
})
export type SignInInput = z.infer<typeof signInSchema>

export const changePasswordSchema = z.object({ currentPassword: z.string().min(1, 'Enter your current password.').max(200), newPassword: newPasswordSchema })
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>

export const userCreateSchema = z.object({
  email: z.email('Enter a valid email address.'),
  name: z.string().trim().min(1).max(100).optional(),
  password: newPasswordSchema,
  role: z.enum(['admin', 'user']).default('user'),
})
export type UserCreateInput = z.input<typeof userCreateSchema>

export const tokenCreateSchema = z.object({ name: z.string().trim().min(1, 'Name the token after the script that uses it.').max(100) })
export type TokenCreateInput = z.infer<typeof tokenCreateSchema>
