// Sortable tables: a click on a column's heading (a button) sorts the rows of a table.sortable by that column,
// by each cell's data-sort (a number) or else its text; a second click reverses the order.
document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("thead th").forEach((th, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", () => {
      const body = table.tBodies[0];
      const descending = th.getAttribute("aria-sort") !== "descending";
      table.querySelectorAll("thead th").forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const key = (row) => {
        const cell = row.cells[column];
        if (!cell) return "";
        const n = cell.dataset.sort;
        return n === undefined || n === "" ? cell.textContent.trim() : Number(n);
      };
      const rows = Array.from(body.rows).filter((row) => row.cells.length > 1);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return descending ? -order : order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
});
