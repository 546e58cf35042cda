
// Say at once that a photo is too large, instead of after a long upload.
function initPhotoForm(form) {
  const input = form.querySelector("input[type=file]");
  const error = document.createElement("p");
  error.className = "error";
  error.id = "photo-size-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  input.after(error);
  const check = () => {
    const file = input.files[0];
    const tooLarge = Boolean(file && file.size > Number(form.dataset.maxBytes));
    error.hidden = !tooLarge;
    error.textContent = tooLarge ? form.dataset.tooLarge : "";
    input.setAttribute("aria-invalid", String(tooLarge));
    return !tooLarge;
  };
  input.addEventListener("change", check);
  form.addEventListener("submit", (event) => {
    if (!check()) event.preventDefault();
  });
}

const form = document.getElementById("photo-form");
if (form) initPhotoForm(form);
