// Bahasa Indonesia for the date picker and the select boxes of FAB's screens.
(function ($) {
    "use strict";
    $.fn.datepicker.dates.id = {
        days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
        daysShort: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
        daysMin: ["Mg", "Sn", "Sl", "Rb", "Km", "Jm", "Sb"],
        months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                 "Oktober", "November", "Desember"],
        monthsShort: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
        today: "Hari ini",
        clear: "Kosongkan",
        format: "yyyy-mm-dd",
        titleFormat: "MM yyyy",
        weekStart: 1
    };
    $.fn.datepicker.defaults.language = "id";

    var bahasa = {
        noResults: function () { return "Tidak ditemukan"; },
        searching: function () { return "Mencari…"; },
        errorLoading: function () { return "Data tidak dapat dimuat."; },
        loadingMore: function () { return "Memuat data lainnya…"; },
        removeAllItems: function () { return "Hapus semua"; },
        inputTooShort: function (args) { return "Ketik " + (args.minimum - args.input.length) + " huruf lagi"; },
        maximumSelected: function (args) { return "Paling banyak " + args.maximum + " pilihan"; }
    };
    $.fn.select2.defaults.set("language", bahasa);

    // FAB's ab.js starts the select boxes with an English placeholder; start them again.
    // Pickers over big tables (class pundi-cari) ask the server as the user types.
    $(function () {
        $("select.pundi-cari").each(function () {
            var box = $(this);
            box.select2({
                placeholder: "Ketik untuk mencari…", allowClear: true, theme: "bootstrap", language: bahasa,
                minimumInputLength: 2,
                ajax: {
                    url: box.data("url"), dataType: "json", delay: 250,
                    data: function (params) { return {q: params.term}; },
                    processResults: function (data) { return {results: data.results}; }
                }
            });
        });
        $(".my_select2").each(function () {
            var box = $(this);
            if (box.data("select2")) {
                box.select2("destroy");
            }
            box.select2({
                placeholder: {id: "__None", text: "Pilih…"}, allowClear: true, theme: "bootstrap", language: bahasa
            });
        });
    });
})(jQuery);
