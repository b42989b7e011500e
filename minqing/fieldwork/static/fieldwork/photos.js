/* Photos in the field app's forms: taken or picked on the phone, made small here (longest side 1600 px,
   JPEG quality 0.8: a 4 MB camera photo becomes ~0.3 MB, which a 2G link can send) and kept as base64 in the
   record, so they wait in the outbox with it and leave with it. Drawing onto a canvas also drops the
   camera's EXIF (GPS, device); the server strips it again all the same. */
(function () {
  "use strict";

  const MAX_SIDE = 1600;
  const QUALITY = 0.8;
  const MAX_PHOTOS = 6;  // as the server takes (fieldwork/photos.py)

  /* The picture, upright (browsers apply the EXIF orientation when decoding). */
  async function decode(file) {
    if (self.createImageBitmap) {
      try { return await createImageBitmap(file, { imageOrientation: "from-image" }); } catch (e) { /* below */ }
    }
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  function base64Of(blob) {
    return new Promise(function (resolve, reject) {
      const reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",", 2)[1]); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  /* A file from the camera or the gallery -> {client_id, name, data}: a JPEG of at most 1600 px. */
  async function compress(file) {
    const image = await decode(file);
    const w = image.width, h = image.height;
    const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(w * scale));
    canvas.height = Math.max(1, Math.round(h * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";  // a transparent PNG becomes a JPEG on white, not on black
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (image.close) image.close();
    const blob = await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    if (!blob) throw new Error("toBlob");
    const name = (file.name || "photo").replace(/\.[^.]*$/, "").slice(0, 60) + ".jpg";
    return { client_id: self.fieldUuid(), name: name, data: await base64Of(blob), size: blob.size };
  }

  /* The photos of one form: a list, its thumbnails (each removable) and the inputs that add to it. */
  class PhotoBox {
    constructor(root, strings, onError) {
      this.root = root;
      this.S = strings;
      this.onError = onError;
      this.items = [];
      this.list = root.querySelector("[data-photo-list]");
      const self_ = this;
      root.querySelectorAll("input[type=file]").forEach(function (input) {
        input.addEventListener("change", function () { self_.add(Array.from(input.files || [])).finally(function () { input.value = ""; }); });
      });
    }

    async add(files) {
      this.root.dataset.busy = "1";
      try {
        for (const file of files) {
          if (this.items.length >= MAX_PHOTOS) { this.onError(this.S.photos_max); break; }
          try { this.items.push(await compress(file)); } catch (e) { this.onError(this.S.photo_unreadable); }
          this.render();
        }
      } finally {
        delete this.root.dataset.busy;
      }
    }

    set(items) { this.items = (items || []).slice(); this.render(); }
    value() { return this.items.map(function (p) { return { client_id: p.client_id, name: p.name, data: p.data }; }); }

    render() {
      const self_ = this;
      this.list.replaceChildren.apply(this.list, this.items.map(function (p, i) {
        const img = document.createElement("img");
        img.src = "data:image/jpeg;base64," + p.data;
        img.alt = p.name;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = self_.S.remove_photo;
        remove.addEventListener("click", function () { self_.items.splice(i, 1); self_.render(); });
        const figure = document.createElement("figure");
        figure.className = "thumb";
        figure.append(img, remove);
        return figure;
      }));
      this.root.dataset.count = String(this.items.length);
    }
  }

  self.FieldPhotos = { PhotoBox: PhotoBox, compress: compress, MAX_PHOTOS: MAX_PHOTOS };
})();
