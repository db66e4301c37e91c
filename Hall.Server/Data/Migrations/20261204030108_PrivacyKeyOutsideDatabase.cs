using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class PrivacyKeyOutsideDatabase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "server_secrets");

            // Everything keyed by a key that was kept in the database goes with it: a copy taken before this migration
            // can still be attacked, but nothing the server keeps from now on is keyed by what such a copy holds.
            // Open tickets lose their notice and their per-person match for the rest of the day.
            migrationBuilder.Sql("""
                DELETE FROM data_protection_keys;
                UPDATE tickets SET mobile_cipher = NULL, mobile_hmac = NULL, mobile_masked = NULL
                    WHERE mobile_cipher IS NOT NULL OR mobile_hmac IS NOT NULL OR mobile_masked IS NOT NULL;
                UPDATE tickets SET id_hmac = NULL WHERE id_hmac IS NOT NULL;
                UPDATE commands SET payload_hash = NULL, result = result #- '{value,mobileMasked}' #- '{value,idMasked}' WHERE kind = 'issue';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "server_secrets",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    value = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_server_secrets", x => x.name);
                });
        }
    }
}
