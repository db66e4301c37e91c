using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;

namespace Hall.Server.Staff;

/// <summary>A staff member's photo for the evaluator's idle screen: re-encoded by the server, so nothing of the upload but its pixels is kept.</summary>
public sealed class StaffPhoto
{
    public int StaffId { get; set; }
    public required byte[] Jpeg { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What the citizen at a window may know of the clerk serving them: 工号 and photo, kept by the admin.</summary>
public sealed class StaffCards(IDbContextFactory<HallDb> dbFactory, AdminStore admin, TimeProvider clock)
{
    /// <summary>The largest upload taken (a phone's photo fits).</summary>
    public const long MaxUploadBytes = 8 * 1024 * 1024;

    /// <summary>The photo as kept and shown: at most this size, in JPEG, whatever came in.</summary>
    public const int PhotoWidth = 300;
    public const int PhotoHeight = 400;

    /// <summary>A decoded image larger than this is refused before it is decoded (a small file can claim huge dimensions).</summary>
    private const int MaxSourcePixels = 40_000_000;

    public static readonly Refusal PhotoTooLarge = new("photo_too_large", "照片文件过大（最大 8 MB），未作任何更改", "The photo file is too large (8 MB at most). Nothing was changed.");
    public static readonly Refusal NotAnImage = new("photo_not_an_image", "照片须为 JPEG 或 PNG 图片，该文件无法作为图片读取，未作任何更改", "The photo must be a JPEG or PNG image; this file could not be read as one. Nothing was changed.");
    public static readonly Refusal InvalidStaffCode = new("invalid_staff_code", "工号须为 1–16 位字母、数字或连字符，未作任何更改", "The staff code (工号) must be 1–16 letters, digits or hyphens. Nothing was changed.");
    public static readonly Refusal UnknownStaff = new("unknown_staff", "没有这个账号", "No such account in this hall.");

    /// <summary>
    /// The upload decoded as JPEG or PNG (by its content, not its name) and drawn again on white at most
    /// <see cref="PhotoWidth"/>×<see cref="PhotoHeight"/>: metadata (EXIF, location, comments) does not survive.
    /// </summary>
    public static Decision<byte[]> Prepare(ReadOnlySpan<byte> upload)
    {
        if (upload.Length > MaxUploadBytes)
        {
            return PhotoTooLarge;
        }
        using var data = SKData.CreateCopy(upload);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png)
            || codec.Info.Width <= 0 || codec.Info.Height <= 0 || (long)codec.Info.Width * codec.Info.Height > MaxSourcePixels)
        {
            return NotAnImage;
        }
        using var bitmap = SKBitmap.Decode(codec);
        if (bitmap is null)
        {
            return NotAnImage;
        }
        // A phone's photo is stored as the sensor saw it, with the way up in EXIF: drawn upright, as the camera showed it.
        var (orient, uprightWidth, uprightHeight) = Upright(codec.EncodedOrigin, bitmap.Width, bitmap.Height);
        var scale = Math.Min(1.0, Math.Min(PhotoWidth / (double)uprightWidth, PhotoHeight / (double)uprightHeight));
        var (width, height) = (Math.Max(1, (int)Math.Round(uprightWidth * scale)), Math.Max(1, (int)Math.Round(uprightHeight * scale)));
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        using (var source = SKImage.FromBitmap(bitmap))
        {
            surface.Canvas.Scale(width / (float)uprightWidth, height / (float)uprightHeight);
            surface.Canvas.Concat(in orient);
            surface.Canvas.DrawImage(source, new SKRect(0, 0, bitmap.Width, bitmap.Height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        using var image = surface.Snapshot();
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 85);
        return jpeg.ToArray();
    }

    /// <summary>
    /// The matrix that turns an image stored <paramref name="width"/>×<paramref name="height"/> with EXIF orientation
    /// <paramref name="origin"/> upright, and the upright size. A point (x, y) of the stored image lands at the matrix's image of it.
    /// </summary>
    internal static (SKMatrix Matrix, int Width, int Height) Upright(SKEncodedOrigin origin, int width, int height) => origin switch
    {
        SKEncodedOrigin.TopRight => (new SKMatrix(-1, 0, width, 0, 1, 0, 0, 0, 1), width, height),
        SKEncodedOrigin.BottomRight => (new SKMatrix(-1, 0, width, 0, -1, height, 0, 0, 1), width, height),
        SKEncodedOrigin.BottomLeft => (new SKMatrix(1, 0, 0, 0, -1, height, 0, 0, 1), width, height),
        SKEncodedOrigin.LeftTop => (new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1), height, width),
        SKEncodedOrigin.RightTop => (new SKMatrix(0, -1, height, 1, 0, 0, 0, 0, 1), height, width),
        SKEncodedOrigin.RightBottom => (new SKMatrix(0, -1, height, -1, 0, width, 0, 0, 1), height, width),
        SKEncodedOrigin.LeftBottom => (new SKMatrix(0, 1, 0, -1, 0, width, 0, 0, 1), height, width),
        _ => (SKMatrix.Identity, width, height),
    };

    /// <summary>A 工号: 1–16 ASCII letters, digits or hyphens; empty clears it.</summary>
    public static Decision<string?> CheckCode(string? code)
    {
        code = code?.Trim();
        if (string.IsNullOrEmpty(code))
        {
            return (string?)null;
        }
        return code.Length <= 16 && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? code : InvalidStaffCode;
    }

    public async Task<(string? Code, byte[]? Photo)> CardAsync(int hallId, int staffId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var code = await db.Staff.AsNoTracking().Where(s => s.Id == staffId && s.HallId == hallId).Select(s => s.StaffCode).FirstOrDefaultAsync(ct);
        var photo = await db.StaffPhotos.AsNoTracking().Where(p => p.StaffId == staffId && db.Staff.Any(s => s.Id == staffId && s.HallId == hallId)).Select(p => p.Jpeg).FirstOrDefaultAsync(ct);
        return (code, photo);
    }

    public async Task<Refusal?> SetCodeAsync(Actor actor, int staffId, string? code, CancellationToken ct)
    {
        var checkedCode = CheckCode(code);
        if (checkedCode.Refusal is { } refused)
        {
            return refused;
        }
        return await ChangeAsync(actor, staffId, "staff.code", async (db, s) =>
        {
            var before = s.StaffCode;
            s.StaffCode = checkedCode.Value;
            return (new { StaffCode = before }, new { StaffCode = s.StaffCode });
        }, ct);
    }

    public async Task<Refusal?> SetPhotoAsync(Actor actor, int staffId, byte[] upload, CancellationToken ct)
    {
        var prepared = Prepare(upload);
        if (prepared.Refusal is { } refused)
        {
            return refused;
        }
        return await ChangeAsync(actor, staffId, "staff.photo", async (db, s) =>
        {
            var photo = await db.StaffPhotos.FirstOrDefaultAsync(p => p.StaffId == s.Id, ct);
            var before = photo is null ? null : new { PhotoBytes = photo.Jpeg.Length };
            if (photo is null)
            {
                db.StaffPhotos.Add(new StaffPhoto { StaffId = s.Id, Jpeg = prepared.Value!, UpdatedAt = clock.GetUtcNow() });
            }
            else
            {
                (photo.Jpeg, photo.UpdatedAt) = (prepared.Value!, clock.GetUtcNow());
            }
            return (before, new { PhotoBytes = prepared.Value!.Length });
        }, ct);
    }

    /// <summary>An admin's change of one of their hall's accounts, with its audit entry in the same transaction.</summary>
    private async Task<Refusal?> ChangeAsync(Actor actor, int staffId, string action, Func<HallDb, StaffMember, Task<(object? Before, object After)>> change, CancellationToken ct)
    {
        if (actor.StaffRole != StaffRole.Admin)
        {
            return Refusal.Forbidden;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.Staff.FirstOrDefaultAsync(s => s.Id == staffId && s.HallId == actor.HallId, ct);
        if (member is null)
        {
            return UnknownStaff;
        }
        var (before, after) = await change(db, member);
        db.AuditEntries.Add(admin.EntryFor(actor, action, $"staff:{staffId}", before, after));
        await db.SaveChangesAsync(ct);
        return null;
    }
}
