from connectwell.cli import app

app()
