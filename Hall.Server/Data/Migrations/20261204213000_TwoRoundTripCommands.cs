using Hall.Server.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <summary>
    /// What the two-round-trip commands need of the database: a guard a command sends in its last round trip
    /// (CommandContext.ExpectState) — a row that moved since the command read it fails the transaction as a serialization
    /// failure, before anything is committed, and the command runs again — and the indexes call-next finds the head of each
    /// group of a window's queue by (Commands/Calls.cs), instead of reading the whole queue.
    /// </summary>
    [DbContext(typeof(HallDb))]
    [Migration("20261204213000_TwoRoundTripCommands")]
    public partial class TwoRoundTripCommands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION hall_expect_row(present boolean) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                    IF NOT present THEN
                        RAISE EXCEPTION 'the row moved under the command' USING ERRCODE = '40001';
                    END IF;
                    RETURN true;
                END $$;
                CREATE INDEX ix_tickets_waiting_heads ON tickets (service_id, business_date, (priority <> 'Normal'), transferred, queued_at, id) WHERE state = 'Waiting';
                CREATE INDEX ix_tickets_waiting_targeted ON tickets (target_window_id, business_date) WHERE state = 'Waiting' AND target_window_id IS NOT NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_tickets_waiting_targeted; DROP INDEX ix_tickets_waiting_heads; DROP FUNCTION hall_expect_row(boolean);");
        }
    }
}
