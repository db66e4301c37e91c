using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class PatrolRounds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "patrol_rounds",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    business_date = table.Column<DateOnly>(type: "date", nullable: false),
                    inspector_staff_id = table.Column<int>(type: "integer", nullable: false),
                    inspector_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    checks = table.Column<string>(type: "jsonb", nullable: false),
                    signed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    signed_by_staff_id = table.Column<int>(type: "integer", nullable: true),
                    signed_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patrol_rounds", x => x.id);
                    table.ForeignKey(
                        name: "fk_patrol_rounds_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_patrol_rounds_staff_inspector_staff_id",
                        column: x => x.inspector_staff_id,
                        principalTable: "staff",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "patrol_findings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    round_id = table.Column<long>(type: "bigint", nullable: false),
                    business_date = table.Column<DateOnly>(type: "date", nullable: false),
                    category = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    requirement = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    due_date = table.Column<DateOnly>(type: "date", nullable: false),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    opened_by_staff_id = table.Column<int>(type: "integer", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    closed_by_staff_id = table.Column<int>(type: "integer", nullable: true),
                    closed_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    result = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patrol_findings", x => x.id);
                    table.ForeignKey(
                        name: "fk_patrol_findings_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_patrol_findings_patrol_rounds_round_id",
                        column: x => x.round_id,
                        principalTable: "patrol_rounds",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_patrol_findings_windows_window_id",
                        column: x => x.window_id,
                        principalTable: "windows",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_patrol_findings_hall_id_business_date",
                table: "patrol_findings",
                columns: new[] { "hall_id", "business_date" });

            migrationBuilder.CreateIndex(
                name: "ix_patrol_findings_hall_id_closed_at",
                table: "patrol_findings",
                columns: new[] { "hall_id", "closed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_patrol_findings_round_id",
                table: "patrol_findings",
                column: "round_id");

            migrationBuilder.CreateIndex(
                name: "ix_patrol_findings_window_id",
                table: "patrol_findings",
                column: "window_id");

            migrationBuilder.CreateIndex(
                name: "ix_patrol_rounds_hall_id_business_date",
                table: "patrol_rounds",
                columns: new[] { "hall_id", "business_date" });

            migrationBuilder.CreateIndex(
                name: "ix_patrol_rounds_inspector_staff_id",
                table: "patrol_rounds",
                column: "inspector_staff_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "patrol_findings");

            migrationBuilder.DropTable(
                name: "patrol_rounds");
        }
    }
}
