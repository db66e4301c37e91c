using Hall.Server.Queue;

namespace Hall.Server.Staff;

/// <summary>
/// 等保 2.0 password complexity for a password a person chooses: at least 10 characters, at least three of the four
/// kinds (lower case, upper case, digits, other), and not containing the login. Generated passwords
/// (<see cref="Admin.AdminStore.NewPassword"/>) are 12 characters of three kinds.
/// </summary>
public static class PasswordRules
{
    public const int MinLength = 10;

    public static readonly Refusal Weak = new(
        "weak_password",
        $"密码强度不足：至少 {MinLength} 位，包含大写字母、小写字母、数字、符号中的至少三类，且不得包含用户名",
        $"The password is too weak: at least {MinLength} characters, with at least three of upper case, lower case, digits and symbols, and not containing the login.");

    public static bool IsStrong(string password, string login)
    {
        if (password.Length < MinLength || (login.Length > 0 && password.Contains(login, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        var kinds = new[] { password.Any(char.IsLower), password.Any(char.IsUpper), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) };
        return kinds.Count(k => k) >= 3;
    }
}
