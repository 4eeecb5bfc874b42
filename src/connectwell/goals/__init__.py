"""Team goals and celebrations (task enabling): a team works towards a shared goal, and when it
is reached everyone who helped is thanked together; leads reward the team, not a star."""
