"""The baseline: a bare Flask app, served by gunicorn exactly like ours (bench/common.py).

Each route does the least an endpoint of its kind does: /json answers a small JSON
document (GET, or POST with a JSON body it parses), /html renders a small template, /form
parses a urlencoded POST and redirects, as a successful registration does.
"""

from flask import Flask, jsonify, redirect, render_template, request
from jinja2 import DictLoader

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
  <h1>{{ title }}</h1>
  <ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</body>
</html>
"""
# Loaded and compiled once, then cached, as our app's templates are.
app.jinja_loader = DictLoader({"page.html": PAGE})


@app.route("/json", methods=["GET", "POST"])
def json_endpoint():
    data = request.get_json(silent=True) or {}
    return jsonify(result="green", reason="ok", code=data.get("code"))


@app.get("/html")
def html_endpoint():
    return render_template("page.html", title="Programma", items=["Accreditamento", "Plenaria", "Pranzo"])


@app.post("/form")
def form_endpoint():
    fields = request.form.to_dict(flat=False)
    return redirect(f"/thanks?fields={len(fields)}")
