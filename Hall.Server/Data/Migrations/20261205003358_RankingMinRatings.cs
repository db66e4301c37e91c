using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <summary>The ratings a window needs in a period to be ranked (月通报, 年考核): 10 for the halls there are.</summary>
    public partial class RankingMinRatings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ranking_min_ratings",
                table: "halls",
                type: "integer",
                nullable: false,
                defaultValue: 10);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ranking_min_ratings",
                table: "halls");
        }
    }
}
